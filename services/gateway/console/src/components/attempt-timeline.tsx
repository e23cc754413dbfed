import type { Task } from '../api/api-types';
import { formatDateTime } from '../format/format';
import { timelineOf } from '../tasks/timeline';

/** The task's attempts in order (queued, started, each retry with its error, finished): why it failed, and when. */
export function AttemptTimeline({ task }: { task: Task }) {
  return (
    <ol class="timeline">
      {timelineOf(task).map((entry, i) => (
        <li key={i} class={`timeline-entry tone-${entry.tone}`}>
          <time dateTime={entry.at}>{formatDateTime(entry.at)}</time>
          <p class="timeline-title">{entry.title}</p>
          {entry.detail && <p class="timeline-detail">{entry.detail}</p>}
          {entry.code && <p class="small mono">Code: {entry.code}</p>}
        </li>
      ))}
    </ol>
  );
}
