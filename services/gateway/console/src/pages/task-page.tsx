import { useState } from 'preact/hooks';
import type { ApiError } from '../api/api-error';
import { ApiError as ApiErrorClass, asApiError } from '../api/api-error';
import type { Artifact, Task } from '../api/api-types';
import { isTerminal } from '../api/api-types';
import { useSession } from '../app-context';
import { ArtifactList } from '../components/artifact-list';
import { CancelControl } from '../components/cancel-control';
import { ConfirmGroup } from '../components/confirm-group';
import { AttemptTimeline } from '../components/attempt-timeline';
import { taskErrorHint } from '../api/error-messages';
import { ErrorBanner } from '../components/error-banner';
import { Loading } from '../components/loading';
import { LogTail } from '../components/log-tail';
import { ProgressBar } from '../components/progress-bar';
import { ResultView } from '../components/result-view';
import { ShortfallBadge, ShortfallBanner } from '../components/shortfall-badge';
import { StatusBadge } from '../components/status-badge';
import { TaskTimings } from '../components/task-timings';
import { useAsync } from '../hooks/use-async';
import { useLiveTask } from '../hooks/use-live-task';
import { useNow } from '../hooks/use-now';
import { useTaskParts } from '../hooks/use-task-parts';
import { useTitleFocus } from '../hooks/use-title-focus';
import { routeHref, taskRoute, WORKFLOW_TYPE } from '../routing/route';
import { artifactState } from '../tasks/artifact-state';
import { shortfallsOf } from '../tasks/shortfalls';
import { deleteRefusal, isCancellable, MODE_TEXT, retryRefusal, statusSentence } from '../tasks/status-text';
import { navigate } from '../hooks/use-hash-route';
import type { StreamMode } from '../tasks/task-stream';

/** Run again and delete: both always shown, greyed out with the reason when the task's state refuses them. */
function TaskActions({ task, onRetry, onDelete }: { task: Task; onRetry: () => Promise<void>; onDelete: () => Promise<void> }) {
  const [asking, setAsking] = useState(false);
  const [busy, setBusy] = useState(false);
  const run = async (action: () => Promise<void>): Promise<void> => {
    setBusy(true);
    await action();
    setBusy(false);
    setAsking(false);
  };
  const noRetry = retryRefusal(task);
  const noDelete = deleteRefusal(task);
  return (
    <div class="task-actions">
      <div class="actions">
        <button type="button" class="button secondary" disabled={busy || !!noRetry} aria-describedby={noRetry ? 'retry-refusal' : undefined} onClick={() => void run(onRetry)}>
          Run again
        </button>
        {!asking && (
          <button type="button" class="button danger-outline" disabled={busy || !!noDelete} aria-describedby={noDelete ? 'delete-refusal' : undefined} onClick={() => setAsking(true)}>
            Delete task
          </button>
        )}
      </div>
      {noRetry && (
        <p class="hint" id="retry-refusal">
          Run again: {noRetry}
        </p>
      )}
      {noDelete && (
        <p class="hint" id="delete-refusal">
          Delete: {noDelete}
        </p>
      )}
      {asking && (
        <ConfirmGroup
          label="Confirm deleting"
          question="Delete this task with its log and files? This cannot be undone."
          yes="Yes, delete it"
          busyText="Deleting…"
          busy={busy}
          onYes={() => void run(onDelete)}
          onNo={() => setAsking(false)}
        />
      )}
    </div>
  );
}

function StatusPanel({ task, mode, onCancel, onRetry, onDelete }: { task: Task; mode: StreamMode; onCancel: () => Promise<void>; onRetry: () => Promise<void>; onDelete: () => Promise<void> }) {
  return (
    <section class="card status-panel" aria-labelledby="status-heading">
      <h2 id="status-heading" class="visually-hidden">
        Status
      </h2>
      <div class="status-line" aria-live="polite">
        <StatusBadge status={task.status} /> <ShortfallBadge shortfalls={shortfallsOf(task)} /> <span>{statusSentence(task)}</span>
      </div>
      <ShortfallBanner shortfalls={shortfallsOf(task)} />
      <ProgressBar value={task.progress ?? 0} label="Task progress" />
      <p class="status-meta">
        <span>
          Attempt {Math.max(task.attempt, task.status === 'queued' ? 0 : 1)} of {task.maxAttempts}
        </span>
        <span class={`live live-${mode}`}>{MODE_TEXT[mode]}</span>
      </p>
      {task.error && (
        <div class="banner banner-error" role="alert" data-error-code={task.error.code}>
          <p class="banner-title">
            {task.status === 'retrying' ? 'The last attempt failed' : 'The task failed'}: {task.error.message}
          </p>
          {taskErrorHint(task.error.code) && <p>{taskErrorHint(task.error.code)}</p>}
          <p class="small mono">Code: {task.error.code}</p>
        </div>
      )}
      {task.retryOf && (
        <p class="small">
          This runs again <a href={routeHref({ name: 'task', id: task.retryOf })}>an earlier task</a>, which keeps its own status and log.
        </p>
      )}
      {isCancellable(task) && <CancelControl what="task" onCancel={onCancel} />}
      <TaskActions task={task} onRetry={onRetry} onDelete={onDelete} />
    </section>
  );
}

function PartsTable({ parent }: { parent: Task }) {
  const { client } = useSession();
  const children = parent.children!;
  const parts = useTaskParts(client, parent.id, `${children.done + children.failed}:${parent.status}`);
  return (
    <>
      {parts.error && <ErrorBanner error={parts.error} />}
      {parts.items.length === 0 && parts.loading && <Loading what="the parts" />}
      {parts.items.length > 0 && (
        <table class="table parts-table">
          <caption class="visually-hidden">Parts of this task</caption>
          <thead>
            <tr>
              <th scope="col">Part</th>
              <th scope="col">Status</th>
              <th scope="col">Progress</th>
            </tr>
          </thead>
          <tbody>
            {parts.items.map((part) => (
              <tr key={part.id}>
                <td data-label="Part">
                  <a href={routeHref({ name: 'task', id: part.id })}>{part.title}</a>
                </td>
                <td data-label="Status">
                  <StatusBadge status={part.status} /> <ShortfallBadge shortfalls={shortfallsOf(part)} />
                </td>
                <td data-label="Progress">
                  <ProgressBar value={part.progress ?? 0} label={`Progress of ${part.title}`} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {parts.nextCursor && (
        <button type="button" class="button secondary more" disabled={parts.loading} onClick={parts.more}>
          {parts.loading ? 'Loading…' : 'Show more parts'}
        </button>
      )}
    </>
  );
}

/** A fan-out's parts (its children), each with its own title, status and link. */
function Parts({ task }: { task: Task }) {
  const children = task.children;
  if (!children) return null;
  return (
    <section class="card wide" aria-labelledby="children-heading">
      <h2 id="children-heading">Parts</h2>
      <p>
        {children.done + children.failed} of {children.total} parts finished{children.failed ? `, ${children.failed} failed` : ''}.
      </p>
      <PartsTable parent={task} />
    </section>
  );
}

function TaskDetails({ task, typeTitle }: { task: Task; typeTitle: string }) {
  return (
    <section class="card details-card" aria-labelledby="details-heading">
      <h2 id="details-heading">Details</h2>
      <dl class="facts">
        <div>
          <dt>Task ID</dt>
          <dd class="mono">{task.id}</dd>
        </div>
        <div>
          <dt>Type</dt>
          <dd>{typeTitle}</dd>
        </div>
        <div>
          <dt>Owner</dt>
          <dd>{task.owner}</dd>
        </div>
        {task.tag && (
          <div>
            <dt>Tag</dt>
            <dd>{task.tag}</dd>
          </div>
        )}
        {task.parentId && (
          <div>
            <dt>Part of</dt>
            <dd>
              <a href={routeHref({ name: 'task', id: task.parentId })} class="mono">
                {task.parentId}
              </a>
            </dd>
          </div>
        )}
      </dl>
      <details class="details">
        <summary>Parameters</summary>
        <pre class="code">{JSON.stringify(task.params, null, 2)}</pre>
      </details>
    </section>
  );
}

/**
 * Which stage of which task this one is, linked: a workflow's stages page, or the task that continued as a
 * workflow (an assessment report's batches), whose own page shows its parts.
 */
function StageOf({ stage }: { stage: NonNullable<Task['stage']> }) {
  const { client } = useSession();
  const parent = useAsync(() => client.task(stage.workflowId), [client, stage.workflowId]);
  const of = parent.data ? (parent.data.type === WORKFLOW_TYPE ? 'the workflow ' : 'the task ') : 'its workflow';
  return (
    <p class="stage-of">
      Stage <span class="nowrap">{stage.stage}</span>
      {stage.item !== undefined ? ` (item ${stage.item + 1})` : ''} of {of}
      {parent.data && <a href={routeHref(taskRoute(parent.data))}>{parent.data.title || parent.data.type}</a>}
    </p>
  );
}

/** One task, live: status, progress, attempt, timings, files, result, log tail, cancel. */
export function TaskPage({ id }: { id: string }) {
  const { client, jobTypes } = useSession();
  const live = useLiveTask(client, id);
  const now = useNow(5000);
  const [actionError, setActionError] = useState<ApiError>();
  const { task } = live;
  const typeTitle = jobTypes.find((t) => t.type === task?.type)?.title ?? task?.type ?? 'Task';
  const heading = useTitleFocus(task?.title || typeTitle);

  const cancel = async (): Promise<void> => {
    setActionError(undefined);
    try {
      await client.cancel(id);
    } catch (caught) {
      setActionError(asApiError(caught));
    }
    await live.refresh();
  };
  const retry = async (): Promise<void> => {
    setActionError(undefined);
    try {
      navigate(routeHref({ name: 'task', id: (await client.retry(id)).id }));
    } catch (caught) {
      setActionError(asApiError(caught));
    }
  };
  const remove = async (): Promise<void> => {
    setActionError(undefined);
    try {
      await client.remove(id);
      navigate(routeHref({ name: 'tasks' }));
    } catch (caught) {
      setActionError(asApiError(caught));
    }
  };
  const followFreshLink = async (artifact: Artifact): Promise<void> => {
    const fresh = await live.refresh();
    const again = fresh?.artifacts.find((a) => a.name === artifact.name);
    if (fresh && again?.url && artifactState(fresh, again, Date.now()) === 'available') location.assign(again.url);
    else setActionError(new ApiErrorClass(410, 'artifact-expired', `${artifact.name} is no longer available.`));
  };

  return (
    <>
      <p class="breadcrumb">
        <a href={routeHref({ name: 'tasks' })}>Tasks</a> › {task ? task.title || typeTitle : id.slice(0, 8)}
      </p>
      <h1 ref={heading} tabIndex={-1}>
        {task ? task.title || typeTitle : 'Task'}
      </h1>
      {task?.title && task.title !== typeTitle && <p class="muted">{typeTitle}</p>}
      {task?.stage && <StageOf stage={task.stage} />}
      {live.error && !(task && live.error.code === 'network-error') && <ErrorBanner error={live.error} onRetry={() => void live.refresh()} />}
      {live.error?.code === 'network-error' && task && (
        <p class="banner banner-info" role="status">
          Lost contact with the server; still trying…
        </p>
      )}
      {actionError && <ErrorBanner error={actionError} />}
      {!task && !live.error && <Loading what="the task" />}
      {task && (
        <div class="task-grid">
          <StatusPanel task={task} mode={live.mode} onCancel={cancel} onRetry={retry} onDelete={remove} />
          <section class="card" aria-labelledby="files-heading">
            <h2 id="files-heading">Files</h2>
            <ArtifactList task={task} now={now} onStale={(a) => void followFreshLink(a)} />
          </section>
          <section class="card" aria-labelledby="timings-heading">
            <h2 id="timings-heading">Timings</h2>
            <TaskTimings task={task} />
          </section>
          <section class="card wide" aria-labelledby="timeline-heading">
            <h2 id="timeline-heading">Timeline</h2>
            <AttemptTimeline task={task} />
          </section>
          {task.result && Object.keys(task.result).some((k) => k !== 'partial') && (
            <section class="card wide" aria-labelledby="result-heading">
              <h2 id="result-heading">Result</h2>
              <ResultView result={task.result} />
            </section>
          )}
          {task.type === WORKFLOW_TYPE && (
            <section class="card wide" aria-labelledby="workflow-heading">
              <h2 id="workflow-heading">Stages</h2>
              <p>
                This task is a workflow. <a href={routeHref({ name: 'workflow', id: task.id })}>See its stages</a>, cancel it or run it again from a failed stage.
              </p>
            </section>
          )}
          <Parts task={task} />
          <section class="card wide" aria-labelledby="log-heading">
            <h2 id="log-heading">Log</h2>
            <LogTail lines={live.logs} finished={isTerminal(task.status)} />
          </section>
          <TaskDetails task={task} typeTitle={typeTitle} />
        </div>
      )}
    </>
  );
}
