import { useState } from 'preact/hooks';
import type { ApiError } from '../api/api-error';
import { asApiError } from '../api/api-error';
import type { DeadLetter, ReplayAnswer } from '../api/api-types';
import { useSession } from '../app-context';
import { ErrorBanner } from '../components/error-banner';
import { Loading } from '../components/loading';
import { formatDateTime } from '../format/format';
import { useAsync } from '../hooks/use-async';
import { useTitleFocus } from '../hooks/use-title-focus';
import { routeHref } from '../routing/route';
import { andList, ownerCounts } from '../tasks/owner-counts';

/** Whose the dead letters are: "They are all teacher-1's." or "They belong to 2 people: teacher-1 (4) and teacher-2 (2)." */
function whoseSentence(items: DeadLetter[]): string {
  const owners = ownerCounts(items);
  if (owners.length === 1) return `${items.length === 1 ? 'It is' : 'They are all'} ${owners[0].owner}'s.`;
  return `They belong to ${owners.length} people: ${andList(owners.map((o) => `${o.owner} (${o.count})`))}.`;
}

/** Asks before replaying every dead letter shown: how many, and whose (an admin replays other people's tasks). */
function ConfirmReplayAll({ items, title, busy, onYes, onNo }: { items: DeadLetter[]; title: string; busy: boolean; onYes: () => void; onNo: () => void }) {
  return (
    <div class="confirm confirm-block" role="alertdialog" aria-labelledby="replay-all-question" aria-describedby="replay-all-detail">
      <p id="replay-all-question" class="banner-title">
        Replay {items.length === 1 ? 'the one dead letter' : `all ${items.length} dead letters`} of {title}?
      </p>
      <p id="replay-all-detail">
        {whoseSentence(items)} Each runs again as a new task of its owner, with the same parameters.
      </p>
      <div class="actions">
        <button type="button" class="button primary" disabled={busy} onClick={onYes} autoFocus>
          {busy ? 'Replaying…' : `Yes, replay ${items.length}`}
        </button>
        <button type="button" class="button secondary" disabled={busy} onClick={onNo}>
          No, keep them
        </button>
      </div>
    </div>
  );
}

function Skipped({ skipped }: { skipped: NonNullable<ReplayAnswer['skipped']> }) {
  return (
    <div class="banner banner-error" role="alert">
      <p class="banner-title">{skipped.length === 1 ? 'One dead letter was not replayed:' : `${skipped.length} dead letters were not replayed:`}</p>
      <ul>
        {skipped.map((s) => (
          <li key={s.taskId}>
            <span class="mono">{s.taskId.slice(0, 8)}</span>: {s.reason}
          </li>
        ))}
      </ul>
    </div>
  );
}

function Unknown({ ids }: { ids: string[] }) {
  return (
    <div class="banner banner-info" role="status">
      <p class="banner-title">{ids.length === 1 ? 'One selected task is no longer a dead letter:' : `${ids.length} selected tasks are no longer dead letters:`}</p>
      <ul>
        {ids.map((id) => (
          <li key={id} class="mono">
            {id.slice(0, 8)}
          </li>
        ))}
      </ul>
    </div>
  );
}

function ReplayResult({ answer }: { answer: ReplayAnswer }) {
  const skipped = answer.skipped ?? [];
  const unknown = answer.unknown ?? [];
  if (answer.replayed.length === 0 && skipped.length === 0 && unknown.length === 0) return <p class="banner banner-info" role="status">Nothing was replayed.</p>;
  return (
    <>
    {skipped.length > 0 && <Skipped skipped={skipped} />}
    {unknown.length > 0 && <Unknown ids={unknown} />}
    {answer.replayed.length > 0 && (
    <div class="banner banner-success" role="status">
      <p class="banner-title">{answer.replayed.length === 1 ? 'Replayed one task as a new task:' : `Replayed ${answer.replayed.length} tasks as new tasks:`}</p>
      <ul>
        {answer.replayed.map((r) => (
          <li key={r.taskId}>
            <span class="mono">{r.taskId.slice(0, 8)}</span> →{' '}
            <a href={routeHref({ name: 'task', id: r.newTaskId })} class="mono">
              {r.newTaskId}
            </a>
          </li>
        ))}
      </ul>
    </div>
    )}
    </>
  );
}

/** Admin: the tasks of one type that used up their attempts, with replay of some or all. */
export function DeadLettersPage({ type }: { type: string }) {
  const { client, jobTypes } = useSession();
  const title = jobTypes.find((t) => t.type === type)?.title ?? type;
  const heading = useTitleFocus(`Dead letters: ${title}`);
  const letters = useAsync(() => client.deadLetters(type), [client, type]);
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const [busy, setBusy] = useState(false);
  const [confirmingAll, setConfirmingAll] = useState(false);
  const [answer, setAnswer] = useState<ReplayAnswer>();
  const [error, setError] = useState<ApiError>();
  const items = letters.data ?? [];

  const toggle = (id: string): void =>
    setSelected((old) => {
      const next = new Set(old);
      if (!next.delete(id)) next.add(id);
      return next;
    });
  const replay = async (ids?: string[]): Promise<void> => {
    setBusy(true);
    setError(undefined);
    setAnswer(undefined);
    try {
      setAnswer(await client.replay(type, ids));
      setSelected(new Set());
      setConfirmingAll(false);
      letters.reload();
    } catch (caught) {
      setError(asApiError(caught));
    } finally {
      setBusy(false);
    }
  };

  return (
    <>
      <p class="breadcrumb">
        <a href={routeHref({ name: 'queues' })}>Queues</a> › Dead letters
      </p>
      <h1 ref={heading} tabIndex={-1}>
        Dead letters: {title}
      </h1>
      <p class="muted">Tasks that failed every attempt. Replaying one submits it again as a new task with the same parameters.</p>
      {answer && <ReplayResult answer={answer} />}
      {error && <ErrorBanner error={error} />}
      {letters.error && <ErrorBanner error={letters.error} onRetry={letters.reload} />}
      {!letters.data && !letters.error && <Loading what="dead letters" />}
      {letters.data && items.length === 0 && <p class="empty">No dead letters for {title}.</p>}
      {items.length > 0 && (
        <>
          <div class="actions">
            <button type="button" class="button primary" disabled={busy || selected.size === 0} onClick={() => void replay([...selected])}>
              Replay selected ({selected.size})
            </button>
            <button type="button" class="button secondary" disabled={busy || confirmingAll} onClick={() => setConfirmingAll(true)}>
              Replay all ({items.length})
            </button>
          </div>
          {confirmingAll && <ConfirmReplayAll items={items} title={title} busy={busy} onYes={() => void replay(items.map((d) => d.taskId))} onNo={() => setConfirmingAll(false)} />}
          <table class="table dead-table">
            <caption class="visually-hidden">Dead letters of {title}</caption>
            <thead>
              <tr>
                <th scope="col">
                  <span class="visually-hidden">Select</span>
                </th>
                <th scope="col">Task</th>
                <th scope="col">Owner</th>
                <th scope="col" class="num">Attempts</th>
                <th scope="col">Error</th>
                <th scope="col">Dead since</th>
              </tr>
            </thead>
            <tbody>
              {items.map((d) => (
                <tr key={d.taskId}>
                  <td data-label="Select">
                    <input type="checkbox" id={`dl-${d.taskId}`} checked={selected.has(d.taskId)} onChange={() => toggle(d.taskId)} aria-label={`Select ${d.title || d.taskId}`} />
                  </td>
                  <td data-label="Task">
                    <a href={routeHref({ name: 'task', id: d.taskId })}>{d.title || d.taskId.slice(0, 8)}</a>
                  </td>
                  <td data-label="Owner" class="nowrap">
                    {d.owner}
                  </td>
                  <td data-label="Attempts" class="num">
                    {d.attempt}
                  </td>
                  <td data-label="Error">
                    {d.error ? (
                      <>
                        {d.error.message} <span class="muted small mono nowrap">({d.error.code})</span>
                      </>
                    ) : (
                      '–'
                    )}
                  </td>
                  <td data-label="Dead since">{formatDateTime(d.deadAt)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}
    </>
  );
}
