import { useEffect, useState } from 'preact/hooks';
import type { ApiError } from '../api/api-error';
import { asApiError } from '../api/api-error';
import type { Occurrence, Schedule } from '../api/api-types';
import { useSession } from '../app-context';
import { ConfirmGroup } from '../components/confirm-group';
import { ErrorBanner } from '../components/error-banner';
import { Loading } from '../components/loading';
import { formatDateTime, formatRelative } from '../format/format';
import { useAsync } from '../hooks/use-async';
import { navigate } from '../hooks/use-hash-route';
import { useNow } from '../hooks/use-now';
import { useTitleFocus } from '../hooks/use-title-focus';
import { routeHref } from '../routing/route';
import { PRIORITY_WORDS } from '../components/task-fields';
import { occurrenceText, scheduleState, scheduleWhat } from '../schedules/schedule-text';

const CATCH_UP_TEXT = { once: 'Run the latest missed one once, late', skip: 'Skip them' } as const;

function Controls({ schedule, onPaused, onDeleted }: { schedule: Schedule; onPaused: (paused: boolean) => Promise<void>; onDeleted: () => Promise<void> }) {
  const [asking, setAsking] = useState(false);
  const [busy, setBusy] = useState(false);
  const run = async (action: () => Promise<void>): Promise<void> => {
    setBusy(true);
    try {
      await action();
    } finally {
      setBusy(false);
    }
  };
  return (
    <div class="task-actions">
      <div class="actions">
        <button type="button" class="button secondary" disabled={busy} onClick={() => void run(() => onPaused(!schedule.paused))}>
          {schedule.paused ? 'Resume schedule' : 'Pause schedule'}
        </button>
        {!asking && (
          <button type="button" class="button danger-outline" disabled={busy} onClick={() => setAsking(true)}>
            Delete schedule
          </button>
        )}
      </div>
      {asking && (
        <ConfirmGroup
          label="Confirm deleting"
          question="Delete this schedule? It runs no more; the tasks it already submitted stay."
          yes="Yes, delete it"
          busyText="Deleting…"
          busy={busy}
          onYes={() => void run(onDeleted)}
          onNo={() => setAsking(false)}
        />
      )}
    </div>
  );
}

/** The next runs still ahead (the page's copy ages while it is open). */
const upcoming = (schedule: Schedule, now: number): string[] => schedule.nextRuns.filter((at) => Date.parse(at) > now);

function NextRuns({ schedule, now }: { schedule: Schedule; now: number }) {
  const ahead = upcoming(schedule, now);
  return (
    <section class="card" aria-labelledby="next-heading">
      <h2 id="next-heading">Next runs</h2>
      {schedule.paused ? (
        <p class="muted">None while the schedule is paused. Resume it to run again.</p>
      ) : (
        <ol class="next-runs">
          {ahead.map((at) => (
            <li key={at}>
              <time dateTime={at}>{formatDateTime(at)}</time> <span class="muted small">({formatRelative(at, now)})</span>
            </li>
          ))}
        </ol>
      )}
    </section>
  );
}

function OccurrenceRow({ o }: { o: Occurrence }) {
  return (
    <tr>
      <th scope="row" data-label="Run time">
        <time dateTime={o.fireAt}>{formatDateTime(o.fireAt)}</time>
      </th>
      <td data-label="Outcome">
        <span class={`badge ${o.outcome === 'skipped' ? 'badge-retrying' : o.outcome === 'submitted' ? 'badge-succeeded' : 'badge-queued'}`}>{occurrenceText(o)}</span>
      </td>
      <td data-label="Task or reason">
        {o.taskId ? <a href={routeHref({ name: 'task', id: o.taskId })}>View its task</a> : <span>{o.reason ?? '–'}</span>}
      </td>
    </tr>
  );
}

/** The recorded occurrences, newest first, a page at a time ("Show older"); `onRefresh` also reloads the schedule. */
function History({ id, onRefresh }: { id: string; onRefresh: () => void }) {
  const { client } = useSession();
  const [items, setItems] = useState<Occurrence[]>();
  const [cursor, setCursor] = useState<string>();
  const [error, setError] = useState<ApiError>();
  const [busy, setBusy] = useState(false);
  const load = async (from?: string): Promise<void> => {
    setBusy(true);
    setError(undefined);
    try {
      const page = await client.scheduleHistory(id, from);
      setItems((old) => [...(from ? (old ?? []) : []), ...page.items]);
      setCursor(page.nextCursor);
    } catch (caught) {
      setError(asApiError(caught));
    } finally {
      setBusy(false);
    }
  };
  useEffect(() => {
    void load();
  }, [id]);
  return (
    <section class="card" aria-labelledby="history-heading">
      <div class="page-head">
        <h2 id="history-heading">History</h2>
        <button
          type="button"
          class="button secondary"
          disabled={busy}
          onClick={() => {
            onRefresh();
            void load();
          }}
        >
          Refresh
        </button>
      </div>
      <p class="muted small">Each run, newest first: the task it submitted, or why it was skipped. Kept for 30 days.</p>
      {error && <ErrorBanner error={error} onRetry={() => void load(cursor)} />}
      {!items && !error && <Loading what="history" />}
      {items && items.length === 0 && <p class="empty">No runs yet.</p>}
      {items && items.length > 0 && (
        <table class="table history-table">
          <caption class="visually-hidden">Runs of this schedule, newest first</caption>
          <thead>
            <tr>
              <th scope="col">Run time</th>
              <th scope="col">Outcome</th>
              <th scope="col">Task or reason</th>
            </tr>
          </thead>
          <tbody>
            {items.map((o) => (
              <OccurrenceRow key={o.fireAt} o={o} />
            ))}
          </tbody>
        </table>
      )}
      {cursor && (
        <button type="button" class="button secondary more" disabled={busy} onClick={() => void load(cursor)}>
          {busy ? 'Loading…' : 'Show older runs'}
        </button>
      )}
    </section>
  );
}

function Details({ schedule }: { schedule: Schedule }) {
  const { jobTypes } = useSession();
  const titleOf = (type: string): string => jobTypes.find((t) => t.type === type)?.title ?? type;
  const t = schedule.template;
  return (
    <section class="card" aria-labelledby="details-heading">
      <h2 id="details-heading">Details</h2>
      <dl class="facts">
        <div>
          <dt>Runs</dt>
          <dd>{scheduleWhat(schedule, titleOf)}</dd>
        </div>
        <div>
          <dt>Cron expression</dt>
          <dd>
            <code class="mono">{schedule.cron}</code>
          </dd>
        </div>
        <div>
          <dt>Time zone</dt>
          <dd>{schedule.timezone.replace(/_/g, ' ')}</dd>
        </div>
        <div>
          <dt>Missed runs</dt>
          <dd>{CATCH_UP_TEXT[schedule.catchUp]}</dd>
        </div>
        <div>
          <dt>Owner</dt>
          <dd>{schedule.owner}</dd>
        </div>
        <div>
          <dt>Created</dt>
          <dd>{formatDateTime(schedule.createdAt)}</dd>
        </div>
        {t.kind === 'task' && t.tag && (
          <div>
            <dt>Tag</dt>
            <dd>{t.tag}</dd>
          </div>
        )}
        {t.kind === 'task' && t.priority && (
          <div>
            <dt>Priority</dt>
            <dd>{PRIORITY_WORDS[t.priority]}</dd>
          </div>
        )}
      </dl>
      {t.kind === 'task' && (
        <details class="details">
          <summary>Task parameters</summary>
          <pre class="code">{JSON.stringify(t.params, null, 2)}</pre>
        </details>
      )}
    </section>
  );
}

/** One schedule: its state with pause/resume and delete, its next runs, its details, its history. */
export function SchedulePage({ id }: { id: string }) {
  const { client } = useSession();
  const loaded = useAsync(() => client.schedule(id), [client, id]);
  const [current, setCurrent] = useState<Schedule>();
  const [actionError, setActionError] = useState<ApiError>();
  const schedule = current ?? loaded.data;
  const heading = useTitleFocus(schedule?.name ?? 'Schedule');
  const now = useNow(1_000);
  const refresh = (): void => void client.schedule(id).then(setCurrent, () => undefined);
  // The next runs move on: read the schedule again once the shown ones are nearly all past.
  const ahead = schedule ? upcoming(schedule, now).length : 0;
  useEffect(() => {
    if (schedule && !schedule.paused && ahead < 2) refresh();
  }, [ahead, schedule?.paused]);
  const act = async (action: () => Promise<void>): Promise<void> => {
    setActionError(undefined);
    try {
      await action();
    } catch (caught) {
      setActionError(asApiError(caught));
    }
  };
  const state = schedule && scheduleState(schedule);
  return (
    <>
      <p class="breadcrumb">
        <a href={routeHref({ name: 'schedules' })}>Schedules</a> › {schedule?.name ?? id}
      </p>
      <h1 ref={heading} tabIndex={-1}>
        {schedule?.name ?? 'Schedule'}
      </h1>
      {loaded.error && <ErrorBanner error={loaded.error} onRetry={loaded.reload} />}
      {!schedule && !loaded.error && <Loading what="the schedule" />}
      {schedule && state && (
        <>
          <section class="card status-panel" aria-labelledby="state-heading">
            <h2 id="state-heading" class="visually-hidden">
              State
            </h2>
            <div class="status-line" aria-live="polite">
              <span class={`badge ${state.css}`} data-state={state.label.toLowerCase()}>
                {state.label}
              </span>
              <span>{schedule.paused ? 'Nothing runs until it is resumed.' : `Next run ${formatRelative(upcoming(schedule, now)[0], now)}.`}</span>
            </div>
            {actionError && <ErrorBanner error={actionError} />}
            <Controls
              schedule={schedule}
              onPaused={(paused) => act(async () => setCurrent(await client.setSchedulePaused(schedule.id, paused)))}
              onDeleted={() =>
                act(async () => {
                  await client.removeSchedule(schedule.id);
                  navigate(routeHref({ name: 'schedules' }));
                })
              }
            />
          </section>
          <div class="task-grid">
            <NextRuns schedule={schedule} now={now} />
            <Details schedule={schedule} />
          </div>
          <History id={schedule.id} onRefresh={refresh} />
        </>
      )}
    </>
  );
}
