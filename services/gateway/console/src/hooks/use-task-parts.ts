import { useEffect, useState } from 'preact/hooks';
import type { ApiClient } from '../api/api-client';
import type { ApiError } from '../api/api-error';
import { asApiError } from '../api/api-error';
import type { Task } from '../api/api-types';

export interface TaskParts {
  items: Task[];
  nextCursor?: string;
  loading: boolean;
  error?: ApiError;
  /** Fetches the next page of parts. */
  more: () => void;
}

/**
 * A parent's children (its parts), fetched when shown and again whenever `version` changes (e.g. the
 * number of parts finished), so their statuses follow the parent's.
 */
export function useTaskParts(client: ApiClient, parentId: string, version: string): TaskParts {
  const [state, setState] = useState<Omit<TaskParts, 'more'>>({ items: [], loading: true });
  const [shown, setShown] = useState(1);

  useEffect(() => {
    let live = true;
    // Every page shown so far is fetched again, so a refresh never shrinks what the reader opened.
    const load = async (): Promise<void> => {
      setState((old) => ({ ...old, loading: true }));
      try {
        let items: Task[] = [];
        let cursor: string | undefined;
        for (let page = 0; page < shown; page++) {
          const answer = await client.children(parentId, cursor);
          items = [...items, ...answer.items];
          cursor = answer.nextCursor;
          if (!cursor) break;
        }
        if (live) setState({ items, nextCursor: cursor, loading: false });
      } catch (caught) {
        if (live) setState((old) => ({ ...old, loading: false, error: asApiError(caught) }));
      }
    };
    void load();
    return () => {
      live = false;
    };
  }, [client, parentId, version, shown]);

  return { ...state, more: () => setShown((n) => n + 1) };
}
