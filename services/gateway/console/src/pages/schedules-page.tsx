import type { ScheduleSummary } from '../api/api-types';
import { useSession } from '../app-context';
import { ErrorBanner } from '../components/error-banner';
import { Loading } from '../components/loading';
import { formatDateTime, formatRelative } from '../format/format';
import { useAsync } from '../hooks/use-async';
import { useNow } from '../hooks/use-now';
import { useTitleFocus } from '../hooks/use-title-focus';
import { routeHref } from '../routing/route';
import { scheduleState, scheduleWhat } from '../schedules/schedule-text';

function NextRun({ schedule, now }: { schedule: ScheduleSummary; now: number }) {
  const next = schedule.nextRuns[0];
  if (!next) return <span class="muted">None while paused</span>;
  return (
    <time dateTime={next} title={formatDateTime(next)}>
      {formatRelative(next, now)}
      <span class="block small muted">{formatDateTime(next)}</span>
    </time>
  );
}

/** The caller's schedules (an admin's: everyone's), each with what it runs, when, and its next run. */
export function SchedulesPage({ showOwner }: { showOwner: boolean }) {
  const { client, jobTypes } = useSession();
  const heading = useTitleFocus('Schedules');
  const list = useAsync(() => client.schedules(), [client]);
  const now = useNow(5_000);
  const titleOf = (type: string): string => jobTypes.find((t) => t.type === type)?.title ?? type;
  const items = list.data;
  return (
    <>
      <div class="page-head">
        <h1 ref={heading} tabIndex={-1}>
          {showOwner ? 'All schedules' : 'Your schedules'}
        </h1>
        <a class="button primary" href={routeHref({ name: 'new-schedule' })}>
          New schedule
        </a>
      </div>
      <p class="muted">A schedule submits a task on a cron: every occurrence exactly once, in the schedule's time zone.</p>
      {list.error && <ErrorBanner error={list.error} onRetry={list.reload} />}
      {!items && !list.error && <Loading what="schedules" />}
      {items && items.length === 0 && (
        <p class="empty">
          No schedules yet. <a href={routeHref({ name: 'new-schedule' })}>Create one</a> to run a task every day, week or minute.
        </p>
      )}
      {items && items.length > 0 && (
        <table class="table schedules-table">
          <caption class="visually-hidden">Schedules</caption>
          <thead>
            <tr>
              <th scope="col">Schedule</th>
              <th scope="col">Runs</th>
              <th scope="col">When</th>
              <th scope="col">Next run</th>
              <th scope="col">State</th>
              {showOwner && <th scope="col">Owner</th>}
            </tr>
          </thead>
          <tbody>
            {items.map((s) => {
              const state = scheduleState(s);
              return (
                <tr key={s.id}>
                  <th scope="row" data-label="Schedule">
                    <a href={routeHref({ name: 'schedule', id: s.id })}>{s.name}</a>
                  </th>
                  <td data-label="Runs">{scheduleWhat(s, titleOf)}</td>
                  <td data-label="When">
                    <code class="mono">{s.cron}</code>
                    <span class="block small muted">{s.timezone.replace(/_/g, ' ')}</span>
                  </td>
                  <td data-label="Next run">
                    <NextRun schedule={s} now={now} />
                  </td>
                  <td data-label="State">
                    <span class={`badge ${state.css}`}>{state.label}</span>
                  </td>
                  {showOwner && <td data-label="Owner">{s.owner}</td>}
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
    </>
  );
}
