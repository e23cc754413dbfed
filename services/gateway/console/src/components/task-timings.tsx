import type { Task } from '../api/api-types';
import { formatDateTime, formatDuration, formatElapsed } from '../format/format';
import { useNow } from '../hooks/use-now';

/** A clock of its own, ticking each second, so only this line re-renders that often. */
function RunningFor({ startedAt }: { startedAt: string }) {
  const elapsed = useNow(1000) - Date.parse(startedAt);
  return (
    <div>
      <dt>Running for</dt>
      <dd class="tabular">{formatElapsed(Math.max(0, elapsed))}</dd>
    </div>
  );
}

/** When the task was created, queued, started and finished, how long it ran and when its files go. */
export function TaskTimings({ task }: { task: Task }) {
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
      {task.durationMs === undefined && task.startedAt && !task.finishedAt && <RunningFor startedAt={task.startedAt} />}
    </dl>
  );
}
