import type { Task } from '../api/api-types';
import { formatDateTime, formatDuration } from '../format/format';

/** When the task was created, queued, started and finished, how long it ran and when its files go. */
export function TaskTimings({ task, now }: { task: Task; now: number }) {
  const running = task.startedAt && !task.finishedAt ? now - Date.parse(task.startedAt) : undefined;
  const rows: [string, string | undefined][] = [
    ['Created', task.createdAt],
    ['Queued', task.queuedAt],
    ['Started', task.startedAt],
    ['Finished', task.finishedAt],
    [task.status === 'expired' ? 'Files deleted' : 'Files kept until', task.expiresAt],
  ];
  return (
    <dl class="facts">
      {rows
        .filter(([, iso]) => iso)
        .map(([label, iso]) => (
          <div key={label}>
            <dt>{label}</dt>
            <dd>
              <time dateTime={iso}>{formatDateTime(iso)}</time>
            </dd>
          </div>
        ))}
      {task.durationMs !== undefined && (
        <div>
          <dt>Duration</dt>
          <dd>{formatDuration(task.durationMs)}</dd>
        </div>
      )}
      {task.durationMs === undefined && running !== undefined && running >= 0 && (
        <div>
          <dt>Running for</dt>
          <dd>{formatDuration(running)}</dd>
        </div>
      )}
    </dl>
  );
}
