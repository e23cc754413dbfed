import { useEffect, useState } from 'preact/hooks';
import { asApiError, type ApiError } from '../api/api-error';
import { useSession } from '../app-context';
import { ErrorBanner } from '../components/error-banner';
import { Loading } from '../components/loading';
import { useAsync } from '../hooks/use-async';
import { useTitleFocus } from '../hooks/use-title-focus';
import { routeHref } from '../routing/route';

const REFRESH_MS = 5000;

/** Admin: each job type's queue depth, unacknowledged messages, consumers and dead letters. */
export function QueuesPage() {
  const { client, jobTypes } = useSession();
  const heading = useTitleFocus('Queues');
  const queues = useAsync(() => client.queues(), [client]);
  useEffect(() => {
    const timer = setInterval(queues.reload, REFRESH_MS);
    return () => clearInterval(timer);
  }, [queues.reload]);
  const [busy, setBusy] = useState<string>();
  const [actionError, setActionError] = useState<ApiError>();
  const setPaused = async (type: string, paused: boolean): Promise<void> => {
    setBusy(type);
    setActionError(undefined);
    try {
      await client.setPaused(type, paused);
    } catch (caught) {
      setActionError(asApiError(caught));
    }
    queues.reload();
    setBusy(undefined);
  };
  const titleOf = (type: string): string => jobTypes.find((t) => t.type === type)?.title ?? type;
  const data = queues.data;
  return (
    <>
      <div class="page-head">
        <h1 ref={heading} tabIndex={-1}>
          Queues
        </h1>
        {data?.managementUrl && (
          <a class="button secondary" href={data.managementUrl} target="_blank" rel="noopener noreferrer">
            RabbitMQ management UI<span class="visually-hidden"> (opens in a new tab)</span>
          </a>
        )}
      </div>
      <p class="muted">Refreshed every {REFRESH_MS / 1000} seconds. Ready: waiting for a worker. Unacked: being worked on.</p>
      {actionError && <ErrorBanner error={actionError} />}
      {queues.error && <ErrorBanner error={queues.error} onRetry={queues.reload} />}
      {!data && !queues.error && <Loading what="queues" />}
      {data && data.items.length === 0 && <p class="empty">No queues.</p>}
      {data && data.items.length > 0 && (
        <table class="table queues-table">
          <caption class="visually-hidden">Queues per job type</caption>
          <thead>
            <tr>
              <th scope="col">Job type</th>
              <th scope="col">Queue</th>
              <th scope="col" class="num">Ready</th>
              <th scope="col" class="num">Unacked</th>
              <th scope="col" class="num">Consumers</th>
              <th scope="col" class="num">Dead letters</th>
              <th scope="col">Taking new tasks</th>
            </tr>
          </thead>
          <tbody>
            {data.items.map((q) => (
              <tr key={q.queue}>
                <th scope="row" data-label="Job type">
                  {titleOf(q.type)}
                </th>
                <td data-label="Queue" class="mono">
                  {q.queue}
                </td>
                <td data-label="Ready" class="num">
                  {q.ready}
                </td>
                <td data-label="Unacked" class="num">
                  {q.unacked}
                </td>
                <td data-label="Consumers" class={`num${q.consumers === 0 ? ' warn' : ''}`}>
                  {q.consumers}
                  {q.consumers === 0 && <span class="small"> (no workers)</span>}
                </td>
                <td data-label="Dead letters" class="num">
                  <a href={routeHref({ name: 'dead-letters', type: q.type })} aria-label={`${q.dead} dead letters of ${titleOf(q.type)}: view`}>
                    {q.dead}
                  </a>
                </td>
                <td data-label="Taking new tasks">
                  <span class={q.paused ? 'warn' : undefined}>{q.paused ? 'Paused ' : 'Yes '}</span>
                  <button type="button" class="button secondary" disabled={busy === q.type} aria-label={`${q.paused ? 'Resume' : 'Pause'} ${titleOf(q.type)}`} onClick={() => void setPaused(q.type, !q.paused)}>
                    {q.paused ? 'Resume' : 'Pause'}
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </>
  );
}
