import type { LogLine, Task, TaskUpdate } from '../api/api-types';
import { isTerminal } from '../api/api-types';

/** How many log lines the task page keeps: the tail is what a person watches. */
export const LOG_TAIL = 500;

const lineKey = (line: LogLine): string => `${line.at}\u0000${line.level}\u0000${line.message}`;

/** Appends new lines to the tail, dropping any already shown (a snapshot and the stream can overlap). */
export function mergeLogs(current: LogLine[], incoming: LogLine[] | undefined, max = LOG_TAIL): LogLine[] {
  if (!incoming || incoming.length === 0) return current;
  const seen = new Set(current.map(lineKey));
  const fresh = incoming.filter((line) => !seen.has(lineKey(line)));
  if (fresh.length === 0) return current;
  const merged = [...current, ...fresh];
  return merged.length > max ? merged.slice(merged.length - max) : merged;
}

/** The task after one `update` event, as far as the event tells; the rest comes from a refetch. */
export function applyUpdate(task: Task, update: TaskUpdate): Task {
  // A late progress event never pulls a finished task back.
  if (isTerminal(task.status) && update.status && !isTerminal(update.status)) return task;
  const next: Task = { ...task };
  if (update.status) next.status = update.status;
  if (typeof update.progress === 'number') next.progress = Math.max(0, Math.min(100, update.progress));
  if (typeof update.attempt === 'number') next.attempt = update.attempt;
  if (update.status === 'running' && !next.startedAt) next.startedAt = update.at;
  if (update.kind === 'cancel-requested' && !next.cancelRequestedAt) next.cancelRequestedAt = update.at;
  return next;
}

const QUIET_KINDS = new Set(['progress', 'heartbeat', 'log']);

/**
 * Whether an update changes more than the event carries (artifacts with fresh URLs, error, result,
 * timings, children), so the page should fetch the whole task again.
 */
export function needsRefetch(update: TaskUpdate): boolean {
  return !QUIET_KINDS.has(update.kind) || (update.status !== undefined && isTerminal(update.status));
}
