import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import type { ApiError } from '../api/api-error';
import { asApiError } from '../api/api-error';

export interface AsyncState<T> {
  data?: T;
  error?: ApiError;
  loading: boolean;
  reload: () => void;
}

/** Runs `load` now and whenever `deps` change or `reload` is called; answers of superseded runs are dropped. */
export function useAsync<T>(load: () => Promise<T>, deps: unknown[]): AsyncState<T> {
  const [state, setState] = useState<Omit<AsyncState<T>, 'reload'>>({ loading: true });
  const run = useRef(0);
  const start = useCallback(() => {
    const mine = ++run.current;
    setState((old) => ({ data: old.data, loading: true }));
    load().then(
      (data) => mine === run.current && setState({ data, loading: false }),
      (error: unknown) => mine === run.current && setState((old) => ({ data: old.data, error: asApiError(error), loading: false })),
    );
  }, deps);
  useEffect(() => {
    start();
    return () => {
      run.current += 1;
    };
  }, [start]);
  return { ...state, reload: start };
}
