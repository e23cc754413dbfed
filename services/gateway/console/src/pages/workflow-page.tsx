import { useEffect, useRef, useState } from 'preact/hooks';
import type { WorkflowView } from '@taskyard/contracts';
import type { ApiError } from '../api/api-error';
import { asApiError } from '../api/api-error';
import type { LogLine, TaskStatus } from '../api/api-types';
import { isTerminal } from '../api/api-types';
import { useSession } from '../app-context';
import { CancelControl } from '../components/cancel-control';
import { ErrorBanner } from '../components/error-banner';
import { Loading } from '../components/loading';
import { LogTail } from '../components/log-tail';
import { ProgressBar } from '../components/progress-bar';
import { StatusBadge } from '../components/status-badge';
import { WorkflowGraph } from '../components/workflow-graph';
import { navigate } from '../hooks/use-hash-route';
import { useTaskParts } from '../hooks/use-task-parts';
import { useTitleFocus } from '../hooks/use-title-focus';
import { routeHref } from '../routing/route';
import { isChildOf, stageDisplay, stageTaskId, workflowSentence, type Stage } from '../tasks/stage-display';
import { MODE_TEXT } from '../tasks/status-text';
import type { StreamMode } from '../tasks/task-stream';
import { watchWorkflow } from '../tasks/workflow-watch';

/** The workflow kept current by its streams (see watchWorkflow). */
function useLiveWorkflow(id: string) {
  const { client } = useSession();
  const [view, setView] = useState<WorkflowView>();
  const [mode, setMode] = useState<StreamMode>('connecting');
  const [error, setError] = useState<ApiError>();
  const poke = useRef<() => void>(() => undefined);
  useEffect(() => {
    const watch = watchWorkflow(client, id, {
      onView: (fresh) => {
        setView(fresh);
        setError(undefined);
      },
      onMode: setMode,
      onError: setError,
    });
    poke.current = watch.poke;
    return watch.stop;
  }, [client, id]);
  return { view, mode, error, refresh: () => poke.current() };
}

/** A fan-out's tasks (the workflow's stage tasks that are its children), each with its status and link. */
function FanOutTasks({ workflow, stage }: { workflow: WorkflowView; stage: Stage }) {
  const { client } = useSession();
  const parts = useTaskParts(client, workflow.id, `${stage.done}:${stage.failed}:${stage.state}`);
  const items = parts.items.filter((t) => isChildOf(stage, t.id));
  return (
    <>
      {parts.error && <ErrorBanner error={parts.error} />}
      {items.length === 0 && parts.loading && <Loading what={`the tasks of ${stage.name}`} />}
      {items.length > 0 && (
        <ul class="stage-children" aria-label={`Tasks of ${stage.name}`}>
          {items.map((t) => (
            <li key={t.id}>
              <a href={routeHref({ name: 'task', id: t.id })}>{t.title}</a> <StatusBadge status={t.status} />
            </li>
          ))}
        </ul>
      )}
      {parts.nextCursor && (
        <button type="button" class="button link" disabled={parts.loading} onClick={parts.more}>
          {parts.loading ? 'Loading…' : 'Show more'}
        </button>
      )}
    </>
  );
}

/** Each stage in words with the way to its task(s): what the graph shows, for reading and for keyboards. */
function StageList({ view, open, onToggle }: { view: WorkflowView; open?: string; onToggle: (name: string) => void }) {
  const stages = view.onFailure ? [...view.stages, view.onFailure] : view.stages;
  return (
    <ol class="stage-list">
      {stages.map((s) => {
        const taskId = stageTaskId(s);
        return (
          <li key={s.name} data-stage={s.name}>
            <span class="stage-name nowrap">{s.name}</span> <span class="muted small">{s.type}</span> <span class={`stage-state wf-text-${stageDisplay(s).tone}`}>{stageDisplay(s).label}</span>{' '}
            {taskId && (
              <a class="nowrap" href={routeHref({ name: 'task', id: taskId })}>
                its task
              </a>
            )}
            {s.kind === 'fan-out' && !!s.total && (
              <button type="button" class="button link" aria-expanded={open === s.name} onClick={() => onToggle(s.name)}>
                {open === s.name ? 'Hide' : 'Show'} its {s.total} tasks
              </button>
            )}
            {s.error && <span class="block small">{s.error.message}</span>}
            {open === s.name && <FanOutTasks workflow={view} stage={s} />}
          </li>
        );
      })}
    </ol>
  );
}

function StatusPanel({ view, mode, onCancel, onRetry }: { view: WorkflowView; mode: StreamMode; onCancel: () => Promise<void>; onRetry: () => Promise<void> }) {
  const finished = isTerminal(view.status as TaskStatus);
  const failedStage = view.stages.find((s) => s.state === 'failed');
  return (
    <section class="card status-panel" aria-labelledby="wf-status-heading">
      <h2 id="wf-status-heading" class="visually-hidden">
        Status
      </h2>
      <div class="status-line" aria-live="polite">
        <StatusBadge status={view.status as TaskStatus} /> <span>{workflowSentence(view)}</span>
      </div>
      <ProgressBar value={view.progress} label="Progress of the workflow" />
      <p class="status-meta">
        <span>
          {view.stages.length} stage{view.stages.length === 1 ? '' : 's'}
          {view.definition.onFailure ? `, ${view.definition.onFailure.name} if one fails` : ''}
        </span>
        <span class={`live live-${mode}`}>{MODE_TEXT[mode]}</span>
      </p>
      {view.retryOf && (
        <p class="small">
          This runs <a href={routeHref({ name: 'workflow', id: view.retryOf.workflowId })}>an earlier workflow</a> again from its stage {view.retryOf.fromStage}; the stages before it are skipped.
        </p>
      )}
      <div class="actions">
        {!finished && <CancelControl what="workflow" onCancel={onCancel} />}
        {view.status === 'failed' && failedStage && (
          <button type="button" class="button secondary" onClick={() => void onRetry()}>
            Run again from {failedStage.name}
          </button>
        )}
        <a class="button secondary" href={routeHref({ name: 'task', id: view.id })}>
          Files and details
        </a>
      </div>
    </section>
  );
}

/** A workflow, live: its status, one progress figure, its stages as a graph, one log; cancel, retry from the failed stage. */
export function WorkflowPage({ id }: { id: string }) {
  const { client } = useSession();
  const live = useLiveWorkflow(id);
  const [actionError, setActionError] = useState<ApiError>();
  const [open, setOpen] = useState<string>();
  const list = useRef<HTMLDivElement>(null);
  const { view } = live;
  const heading = useTitleFocus(view?.title || 'Workflow');

  const cancel = async (): Promise<void> => {
    setActionError(undefined);
    try {
      await client.cancelWorkflow(id);
    } catch (caught) {
      setActionError(asApiError(caught));
    }
    live.refresh();
  };
  const retry = async (): Promise<void> => {
    setActionError(undefined);
    try {
      navigate(routeHref({ name: 'workflow', id: (await client.retryWorkflow(id)).id }));
    } catch (caught) {
      setActionError(asApiError(caught));
    }
  };
  const openChildren = (stage: Stage): void => {
    setOpen(stage.name);
    list.current?.scrollIntoView({ block: 'nearest' });
  };

  return (
    <>
      <p class="breadcrumb">
        <a href={routeHref({ name: 'tasks' })}>Tasks</a> › {view?.title || id.slice(0, 8)}
      </p>
      <h1 ref={heading} tabIndex={-1}>
        {view?.title || 'Workflow'}
      </h1>
      {view && <p class="muted">Workflow {view.definition.title ?? view.name}</p>}
      {live.error && !(view && live.error.code === 'network-error') && <ErrorBanner error={live.error} />}
      {live.error?.code === 'network-error' && view && (
        <p class="banner banner-info" role="status">
          Lost contact with the server; still trying…
        </p>
      )}
      {actionError && <ErrorBanner error={actionError} />}
      {!view && !live.error && <Loading what="the workflow" />}
      {view && (
        <div class="task-grid">
          <StatusPanel view={view} mode={live.mode} onCancel={cancel} onRetry={retry} />
          <section class="card wide" aria-labelledby="wf-graph-heading">
            <h2 id="wf-graph-heading">Stages</h2>
            <WorkflowGraph view={view} onOpenChildren={openChildren} />
            <div ref={list}>
              <StageList view={view} open={open} onToggle={(name) => setOpen(open === name ? undefined : name)} />
            </div>
          </section>
          <section class="card wide" aria-labelledby="wf-log-heading">
            <h2 id="wf-log-heading">Log</h2>
            <LogTail lines={view.logs as LogLine[]} finished={isTerminal(view.status as TaskStatus)} />
          </section>
        </div>
      )}
    </>
  );
}
