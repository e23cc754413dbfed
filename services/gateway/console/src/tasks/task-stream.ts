import type { ApiClient } from '../api/api-client';
import { ApiError, asApiError } from '../api/api-error';
import { taskEventsPath } from '../api/api-paths';
import type { LogLine, Task, TaskUpdate } from '../api/api-types';
import { isTerminal } from '../api/api-types';
import { advance, isAhead, type StreamedState } from './task-updates';

export type StreamMode = 'connecting' | 'live' | 'polling' | 'ended';

export interface StreamHandlers {
  onTask: (task: Task) => void;
  onUpdate: (update: TaskUpdate) => void;
  onLogs: (lines: LogLine[]) => void;
  onMode: (mode: StreamMode) => void;
  onError: (error: ApiError) => void;
}

export const POLL_MS = 2000;
/** Reconnects EventSource may try on its own before the page gives up on it and polls instead. */
const MAX_SSE_ERRORS = 3;
/**
 * While live, the task is also fetched now and then, to notice a stream that missed events (e.g. ones
 * that passed before it subscribed and were not yet in the snapshot it sent): the page then polls.
 */
export const VERIFY_FIRST_MS = 2000;
export const VERIFY_EVERY_MS = 10_000;
/**
 * The stream folds events itself, so its `end` can come before the database has the final state: the
 * page then fetches the task every SETTLE_MS until it reads terminal too (with its files and timings).
 */
export const SETTLE_MS = 500;
const SETTLE_TRIES = 120;

/** Polls the task and its logs every POLL_MS until the task is terminal. Returns a stop function. */
function poll(client: ApiClient, id: string, handlers: StreamHandlers): () => void {
  let stopped = false;
  let timer: ReturnType<typeof setTimeout> | undefined;
  handlers.onMode('polling');
  const tick = async (): Promise<void> => {
    try {
      const [task, lines] = await Promise.all([client.task(id), client.logs(id)]);
      if (stopped) return;
      handlers.onTask(task);
      handlers.onLogs(lines);
      if (isTerminal(task.status)) {
        handlers.onMode('ended');
        return;
      }
    } catch (error) {
      const apiError = asApiError(error);
      handlers.onError(apiError);
      // A task that is gone, or a key that is refused, will not come back by asking again.
      if ([401, 403, 404].includes(apiError.status)) return;
    }
    if (!stopped) timer = setTimeout(() => void tick(), POLL_MS);
  };
  void tick();
  return () => {
    stopped = true;
    clearTimeout(timer);
  };
}

function parse<T>(event: MessageEvent<string>): T | undefined {
  try {
    return JSON.parse(event.data) as T;
  } catch {
    return undefined;
  }
}

/**
 * Follows a task live: server-sent events first (snapshot, then updates, then end), falling back to
 * polling when the stream cannot be opened or keeps failing. Returns a stop function.
 */
export function watchTask(client: ApiClient, id: string, handlers: StreamHandlers): () => void {
  if (typeof EventSource === 'undefined') return poll(client, id, handlers);
  let stopPolling: (() => void) | undefined;
  let verifyTimer: ReturnType<typeof setTimeout> | undefined;
  let finished = false;
  let stopped = false;
  let errors = 0;
  /** What the stream has delivered so far, to compare fetched tasks with. */
  let streamed: StreamedState | undefined;
  handlers.onMode('connecting');
  const source = new EventSource(taskEventsPath(id, client.key));
  const finish = (): void => {
    finished = true;
    source.close();
    clearTimeout(verifyTimer);
  };
  const fallBack = (): void => {
    finish();
    stopPolling ??= poll(client, id, handlers);
  };
  /** After `end`: fetches until the stored task is terminal too, then hands over the final task and logs. */
  const settle = async (tries = 0): Promise<void> => {
    try {
      const task = await client.task(id);
      if (stopped) return;
      if (isTerminal(task.status)) {
        // The final log lines once, when the stored task is final too (not on every try before).
        const lines = await client.logs(id);
        if (stopped) return;
        handlers.onTask(task);
        handlers.onLogs(lines);
        handlers.onMode('ended');
        return;
      }
    } catch {
      // Tried again below, like a task that is not stored as finished yet.
    }
    if (stopped) return;
    if (tries >= SETTLE_TRIES) return void (stopPolling ??= poll(client, id, handlers));
    verifyTimer = setTimeout(() => void settle(tries + 1), SETTLE_MS);
  };
  const verify = async (): Promise<void> => {
    try {
      const task = await client.task(id);
      if (finished) return;
      handlers.onTask(task);
      if (isTerminal(task.status)) {
        finish();
        return void settle();
      }
      if (streamed && isAhead(task, streamed)) return fallBack();
    } catch {
      // The stream is still the main source; a failed check is simply tried again later.
    }
    if (!finished) verifyTimer = setTimeout(() => void verify(), VERIFY_EVERY_MS);
  };
  /**
   * The snapshot carries no logs: what was logged so far is fetched once, on the first snapshot, unless the
   * task is finished already (then `end` follows at once, and settle fetches the final logs).
   */
  const fetchLogsOnce = (task: Task): void => {
    if (streamed || isTerminal(task.status)) return;
    client.logs(id).then((lines) => !stopped && handlers.onLogs(lines), () => undefined);
  };
  source.addEventListener('snapshot', (event) => {
    errors = 0;
    const task = parse<Task>(event as MessageEvent<string>);
    if (task) handlers.onTask(task);
    if (task) fetchLogsOnce(task);
    if (task) streamed = { status: task.status, progress: task.progress, attempt: task.attempt };
    handlers.onMode('live');
    clearTimeout(verifyTimer);
    verifyTimer = setTimeout(() => void verify(), VERIFY_FIRST_MS);
  });
  source.addEventListener('update', (event) => {
    errors = 0;
    const update = parse<TaskUpdate>(event as MessageEvent<string>);
    if (!update) return;
    if (streamed) streamed = advance(streamed, update);
    handlers.onUpdate(update);
  });
  source.addEventListener('end', () => {
    finish();
    void settle();
  });
  source.onerror = () => {
    if (finished) return;
    errors += 1;
    // CLOSED: the server refused the stream outright; otherwise EventSource is reconnecting by itself.
    if (source.readyState === EventSource.CLOSED || errors >= MAX_SSE_ERRORS) fallBack();
  };
  return () => {
    stopped = true;
    finish();
    clearTimeout(verifyTimer);
    stopPolling?.();
  };
}
