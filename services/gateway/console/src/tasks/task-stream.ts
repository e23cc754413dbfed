import type { ApiClient } from '../api/api-client';
import { ApiError, asApiError } from '../api/api-error';
import { taskEventsPath } from '../api/api-paths';
import type { LogLine, Task, TaskUpdate } from '../api/api-types';
import { isTerminal } from '../api/api-types';

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
  let errors = 0;
  handlers.onMode('connecting');
  const source = new EventSource(taskEventsPath(id, client.key));
  const fallBack = (): void => {
    source.close();
    stopPolling ??= poll(client, id, handlers);
  };
  source.addEventListener('snapshot', (event) => {
    errors = 0;
    const task = parse<Task>(event as MessageEvent<string>);
    if (task) handlers.onTask(task);
    handlers.onMode('live');
  });
  source.addEventListener('update', (event) => {
    errors = 0;
    const update = parse<TaskUpdate>(event as MessageEvent<string>);
    if (update) handlers.onUpdate(update);
  });
  source.addEventListener('end', () => {
    source.close();
    handlers.onMode('ended');
  });
  source.onerror = () => {
    errors += 1;
    // CLOSED: the server refused the stream outright; otherwise EventSource is reconnecting by itself.
    if (source.readyState === EventSource.CLOSED || errors >= MAX_SSE_ERRORS) fallBack();
  };
  return () => {
    source.close();
    stopPolling?.();
  };
}
