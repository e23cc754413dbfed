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
  /** Fetches the whole task (and logs) again, e.g. after a cancel or for fresh download links. */
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
      const [fresh, lines] = await Promise.all([client.task(id), client.logs(id)]);
      setTask((old) => mergeFetched(old, fresh));
      setLogs((old) => mergeLogs(old, lines));
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
    // The snapshot carries no logs: fetch what was logged so far once, then the stream appends.
    client.logs(id).then((lines) => setLogs((old) => mergeLogs(lines, old)), () => undefined);
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
