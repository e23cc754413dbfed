import type { LogLine, Task, TaskUpdate } from '../api/api-types';
import { isTerminal } from '../api/api-types';

/** How many log lines the task page keeps: the tail is what a person watches. */
export const LOG_TAIL = 500;

const lineKey = (line: LogLine): string => `${line.at}\u0000${line.level}\u0000${line.message}`;

const byTime = (a: LogLine, b: LogLine): number => (a.at < b.at ? -1 : a.at > b.at ? 1 : 0);

/**
 * Adds new lines to the tail in time order, dropping any already shown: a fetch and the stream can overlap,
 * and the fetched lines so far can arrive after the stream's newer ones.
 */
export function mergeLogs(current: LogLine[], incoming: LogLine[] | undefined, max = LOG_TAIL): LogLine[] {
  if (!incoming || incoming.length === 0) return current;
  const seen = new Set(current.map(lineKey));
  const fresh = incoming.filter((line) => !seen.has(lineKey(line)));
  if (fresh.length === 0) return current;
  // A stable sort: lines of the same instant keep the order they were logged in.
  const merged = [...current, ...fresh].sort(byTime);
  return merged.length > max ? merged.slice(merged.length - max) : merged;
}

/** The part of a task the event stream keeps current. */
export type StreamedState = Pick<Task, 'status' | 'progress' | 'attempt'>;

/** Status, progress and attempt after one `update` event; a late event never pulls a finished task back. */
export function advance<T extends StreamedState>(state: T, update: TaskUpdate): T {
  if (isTerminal(state.status) && update.status && !isTerminal(update.status)) return state;
  const next: T = { ...state };
  if (update.status) next.status = update.status;
  if (typeof update.progress === 'number') next.progress = Math.max(0, Math.min(100, update.progress));
  if (typeof update.attempt === 'number') next.attempt = update.attempt;
  return next;
}

/** The task after one `update` event, as far as the event tells; the rest comes from a refetch. */
export function applyUpdate(task: Task, update: TaskUpdate): Task {
  const next = advance(task, update);
  if (next === task) return task;
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

const STAGE: Record<Task['status'], number> = { scheduled: 0, queued: 0, running: 1, retrying: 1, succeeded: 2, failed: 2, cancelled: 2, expired: 3 };

/**
 * The task to show after fetching it while the stream runs. The stored task can lag behind the stream
 * (the status service writes it a little later), so a fetch never moves the page backwards: not to an
 * earlier status, an earlier attempt, or less progress in the same attempt.
 */
export function mergeFetched(shown: Task | undefined, fetched: Task): Task {
  if (!shown || shown.id !== fetched.id) return fetched;
  if (STAGE[fetched.status] < STAGE[shown.status] || fetched.attempt < shown.attempt) {
    return { ...fetched, status: shown.status, progress: shown.progress, attempt: shown.attempt };
  }
  if (!isTerminal(fetched.status) && fetched.attempt === shown.attempt && fetched.progress < shown.progress) {
    return { ...fetched, progress: shown.progress };
  }
  return fetched;
}

/**
 * Whether a fetched task is further along than everything the stream has delivered. The stream and the
 * stored task are fed by the same events, and the stored one is written after, so a stored task that is
 * ahead means the stream missed events: the page should poll instead.
 */
export function isAhead(fetched: StreamedState, streamed: StreamedState): boolean {
  if (STAGE[fetched.status] !== STAGE[streamed.status]) return STAGE[fetched.status] > STAGE[streamed.status];
  if (fetched.attempt !== streamed.attempt) return fetched.attempt > streamed.attempt;
  return fetched.progress > streamed.progress;
}
