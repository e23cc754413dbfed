import { useCallback, useEffect, useState } from 'preact/hooks';
import type { ApiClient } from '../api/api-client';
import type { ApiError } from '../api/api-error';
import { asApiError } from '../api/api-error';
import type { LogLine, Task } from '../api/api-types';
import { applyUpdate, mergeFetched, mergeLogs, needsRefetch } from '../tasks/task-updates';
import { watchTask, type StreamMode } from '../tasks/task-stream';

export interface LiveTask {
  task?: Task;
  logs: LogLine[];
  mode: StreamMode;
  error?: ApiError;
  /** Fetches the whole task again, e.g. after a cancel or for fresh download links. */
  refresh: () => Promise<Task | undefined>;
}

/** A task kept current over SSE (or polling), with its log tail. */
export function useLiveTask(client: ApiClient, id: string): LiveTask {
  const [task, setTask] = useState<Task>();
  const [logs, setLogs] = useState<LogLine[]>([]);
  const [mode, setMode] = useState<StreamMode>('connecting');
  const [error, setError] = useState<ApiError>();

  const refresh = useCallback(async (): Promise<Task | undefined> => {
    try {
      // The task only: new log lines come with the stream's updates (or each poll), and the final ones
      // once the stream ends (see watchTask), so the log is never fetched twice over.
      const fresh = await client.task(id);
      setTask((old) => mergeFetched(old, fresh));
      setError(undefined);
      return fresh;
    } catch (caught) {
      setError(asApiError(caught));
      return undefined;
    }
  }, [client, id]);

  useEffect(() => {
    setTask(undefined);
    setLogs([]);
    setError(undefined);
    // watchTask fetches the logs (once, or each poll): the stream's updates carry the new lines.
    return watchTask(client, id, {
      onTask: (fresh) => {
        setTask((old) => mergeFetched(old, fresh));
        setError(undefined);
      },
      onUpdate: (update) => {
        setTask((old) => (old ? applyUpdate(old, update) : old));
        setLogs((old) => mergeLogs(old, update.logs));
        if (needsRefetch(update)) void refresh();
      },
      onLogs: (lines) => setLogs((old) => mergeLogs(old, lines)),
      onMode: setMode,
      onError: setError,
    });
  }, [client, id, refresh]);

  return { task, logs, mode, error, refresh };
}
