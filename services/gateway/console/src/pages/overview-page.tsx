import { useEffect, useMemo, useState } from 'preact/hooks';
import type { OverviewView, OverviewWindow } from '@taskyard/contracts';
import { useSession } from '../app-context';
import { ErrorBanner } from '../components/error-banner';
import { Loading } from '../components/loading';
import { TimeChart } from '../components/time-chart';
import { formatDuration } from '../format/format';
import { useAsync } from '../hooks/use-async';
import { useTitleFocus } from '../hooks/use-title-focus';
import { routeHref } from '../routing/route';
import { activeSeries, windowTimes } from '../tasks/overview-figures';

const REFRESH_MS = 5000;
type WindowName = 'hour' | 'day';
const WINDOW_TEXT: Record<WindowName, string> = { hour: 'Last hour, per minute', day: 'Last day, per hour' };
const COLORS = { started: '#2563eb', succeeded: '#15803d', failed: '#dc2626' };

const ms = (value: number | undefined): string => (value === undefined ? '–' : formatDuration(value));

function Throughput({ window, titleOf }: { window: OverviewWindow; titleOf: (type: string) => string }) {
  const times = useMemo(() => windowTimes(window), [window]);
  const { active, idle } = activeSeries(window);
  return (
    <>
      {active.length === 0 && <p class="empty">No task started or finished in this window.</p>}
      <div class="chart-grid">
        {active.map((s) => (
          <figure class="card chart-card" key={s.type} data-type={s.type}>
            <figcaption>
              <strong>{titleOf(s.type)}</strong>{' '}
              <span class="muted small">
                {s.total.started} started, {s.total.succeeded} succeeded, {s.total.failed} failed
              </span>
            </figcaption>
            <TimeChart
              times={times}
              step={window.stepSeconds}
              label={`${titleOf(s.type)}: tasks started, succeeded and failed per ${window.stepSeconds === 60 ? 'minute' : 'hour'}`}
              lines={[
                { label: 'Started', color: COLORS.started, values: s.started, barWidth: 0.9 },
                { label: 'Succeeded', color: COLORS.succeeded, values: s.succeeded, barWidth: 0.6 },
                { label: 'Failed', color: COLORS.failed, values: s.failed, barWidth: 0.3 },
              ]}
            />
          </figure>
        ))}
      </div>
      {idle.length > 0 && <p class="muted small">Nothing in this window for {idle.map(titleOf).join(', ')}.</p>}
    </>
  );
}

function Queues({ data, titleOf }: { data: OverviewView; titleOf: (type: string) => string }) {
  if (!data.queues) return <p class="muted">Queue depths are not available (the broker's management API is not configured or did not answer).</p>;
  return (
    <table class="table overview-table compact">
      <caption class="visually-hidden">Queue depth and consumers per job type</caption>
      <thead>
        <tr>
          <th scope="col">Job type</th>
          <th scope="col" class="num">Waiting</th>
          <th scope="col" class="num">Running</th>
          <th scope="col" class="num">Consumers</th>
        </tr>
      </thead>
      <tbody>
        {data.queues.map((q) => (
          <tr key={q.type}>
            <th scope="row" data-label="Job type">{titleOf(q.type)}</th>
            <td data-label="Waiting" class="num">{q.ready}</td>
            <td data-label="Running" class="num">{q.unacked}</td>
            <td data-label="Consumers" class={`num${q.consumers === 0 ? ' warn' : ''}`}>
              {q.consumers}
              {q.consumers === 0 && <span class="small note"> (no workers)</span>}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function Latency({ data, titleOf }: { data: OverviewView; titleOf: (type: string) => string }) {
  const rows = data.latency.filter((l) => l.started > 0 || l.runP50Ms !== undefined);
  if (rows.length === 0) return <p class="empty">No attempt started in the last hour.</p>;
  return (
    <table class="table overview-table">
      <caption class="visually-hidden">Time waiting in the queue and running, last hour</caption>
      <thead>
        <tr>
          <th scope="col">Job type</th>
          <th scope="col" class="num">Started</th>
          <th scope="col" class="num">Wait p50</th>
          <th scope="col" class="num">Wait p95</th>
          <th scope="col" class="num">Run p50</th>
          <th scope="col" class="num">Run p95</th>
        </tr>
      </thead>
      <tbody>
        {rows.map((l) => (
          <tr key={l.type}>
            <th scope="row" data-label="Job type">{titleOf(l.type)}</th>
            <td data-label="Started" class="num">{l.started}</td>
            <td data-label="Wait p50" class="num">{ms(l.waitP50Ms)}</td>
            <td data-label="Wait p95" class="num">{ms(l.waitP95Ms)}</td>
            <td data-label="Run p50" class="num">{ms(l.runP50Ms)}</td>
            <td data-label="Run p95" class="num">{ms(l.runP95Ms)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function Failures({ data, titleOf }: { data: OverviewView; titleOf: (type: string) => string }) {
  if (data.failures.length === 0) return <p class="empty">No failures in the last day.</p>;
  return (
    <ol class="failure-list">
      {data.failures.map((f) => (
        <li key={`${f.type}|${f.code}`} class="failure">
          <span class="failure-count">{f.count}×</span>
          <div class="failure-text">
            <p>
              <span class="mono">{f.code}</span> <span class="muted">in {titleOf(f.type)}</span>
            </p>
            {f.message && <p class="small muted failure-message">{f.message}</p>}
            <a href={routeHref({ name: 'tasks', type: f.type, status: 'failed' })}>Failed {titleOf(f.type)} tasks</a>
          </div>
        </li>
      ))}
    </ol>
  );
}

/** What the platform is doing (an admin: everyone's tasks; a user: their own), refreshed live. */
export function OverviewPage() {
  const { client, me, jobTypes } = useSession();
  const heading = useTitleFocus('Overview');
  const overview = useAsync(() => client.overview(), [client]);
  const [window, setWindow] = useState<WindowName>('hour');
  useEffect(() => {
    const timer = setInterval(overview.reload, REFRESH_MS);
    return () => clearInterval(timer);
  }, [overview.reload]);
  const titleOf = (type: string): string => jobTypes.find((t) => t.type === type)?.title ?? type;
  const data = overview.data;
  return (
    <>
      <div class="page-head">
        <h1 ref={heading} tabIndex={-1}>
          Overview
        </h1>
        <div class="segmented" role="group" aria-label="Time window">
          {(['hour', 'day'] as const).map((w) => (
            <button key={w} type="button" class="button secondary" aria-pressed={window === w} onClick={() => setWindow(w)}>
              {w === 'hour' ? 'Last hour' : 'Last day'}
            </button>
          ))}
        </div>
      </div>
      <p class="muted">
        {me.role === 'admin' ? "Everyone's tasks." : 'Your tasks.'} Updated every {REFRESH_MS / 1000} seconds
        {data && <> (last at <time dateTime={data.generatedAt}>{new Date(data.generatedAt).toLocaleTimeString()}</time>)</>}.
      </p>
      {overview.error && <ErrorBanner error={overview.error} onRetry={overview.reload} />}
      {!data && !overview.error && <Loading what="the overview" />}
      {data && (
        <>
          <section aria-labelledby="throughput-heading">
            <h2 id="throughput-heading">Tasks: {WINDOW_TEXT[window]}</h2>
            <Throughput window={data[window]} titleOf={titleOf} />
          </section>
          <div class="overview-grid">
            <section class="card" aria-labelledby="queues-heading">
              <h2 id="queues-heading">Queues now</h2>
              <Queues data={data} titleOf={titleOf} />
            </section>
            <section class="card" aria-labelledby="latency-heading">
              <h2 id="latency-heading">Waiting and running, last hour</h2>
              <Latency data={data} titleOf={titleOf} />
            </section>
          </div>
          <section class="card" aria-labelledby="failures-heading">
            <h2 id="failures-heading">Top failure reasons, last day</h2>
            <Failures data={data} titleOf={titleOf} />
          </section>
        </>
      )}
    </>
  );
}
