import type { WorkflowView } from '@taskyard/contracts';
import type { ApiClient } from '../api/api-client';
import { asApiError, type ApiError } from '../api/api-error';
import { taskEventsPath } from '../api/api-paths';
import { isTerminal, type TaskStatus } from '../api/api-types';
import { POLL_MS, type StreamMode } from './task-stream';

export interface WorkflowHandlers {
  onView: (view: WorkflowView) => void;
  onMode: (mode: StreamMode) => void;
  onError: (error: ApiError) => void;
}

/** After an event, the workflow is read every SETTLE_MS until the read shows the change (events come before the writes). */
export const SETTLE_MS = 400;
/** Reads after an event that changed nothing visible (a log line, a heartbeat) before giving up on it. */
const SETTLE_TRIES = 6;
/** While live, the workflow is read this often anyway, to notice an event the streams missed. */
export const VERIFY_MS = 10_000;
const MAX_SSE_ERRORS = 3;
/** Reads every SETTLE_MS while the workflow is between two writes (see inTransition), at most this many in a row. */
const TRANSITION_READS = 50;

type Stage = WorkflowView['stages'][number];

/**
 * The tasks whose event streams tell the page that something moved: the workflow's own (every stage's and
 * fan-out child's finish is told to it) and each running stage task's (its start and progress). Nothing once
 * the workflow has finished. A fan-out's children are not streamed one by one (up to 1,000).
 */
export function streamedIds(view: Pick<WorkflowView, 'id' | 'status' | 'stages' | 'onFailure'>): string[] {
  if (isTerminal(view.status as TaskStatus)) return [];
  const stages: Stage[] = view.onFailure ? [...view.stages, view.onFailure] : view.stages;
  return [view.id, ...stages.filter((s) => s.state === 'started' && s.kind !== 'fan-out').map((s) => s.taskId)];
}

/**
 * The workflow is between two writes and will change without any further event: a stage's task has finished
 * but the workflow has not folded it yet (the next stage not started), or every stage is done but the
 * workflow not. Events come before the writes, so the page keeps reading until the workflow catches up.
 */
export function inTransition(view: Pick<WorkflowView, 'status' | 'stages' | 'onFailure'>): boolean {
  if (isTerminal(view.status as TaskStatus)) return false;
  const stages: Stage[] = view.onFailure ? [...view.stages, view.onFailure] : view.stages;
  const taskDone = (s: Stage): boolean => s.state === 'started' && s.kind !== 'fan-out' && !!s.taskStatus && isTerminal(s.taskStatus as TaskStatus);
  const stageDone = (s: Stage): boolean => s.state === 'succeeded' || s.state === 'skipped';
  return stages.some(taskDone) || view.stages.every(stageDone) || (!!view.onFailure && view.onFailure.state !== 'started' && view.onFailure.state !== 'waiting');
}

/** What the page shows of a workflow, to tell a read that brought a change from one that did not. */
export function viewKey(view: Pick<WorkflowView, 'status' | 'progress' | 'stages' | 'onFailure' | 'logs'>): string {
  const stage = (s: Stage): string => [s.state, s.taskStatus, s.taskProgress, s.total, s.done, s.failed].join(':');
  return [view.status, view.progress, view.logs.length, ...view.stages.map(stage), view.onFailure ? stage(view.onFailure) : ''].join('|');
}

/**
 * Follows a workflow live: its own SSE stream and its running stage tasks' streams say when to read it again
 * (`GET /v1/workflows/:id`, which brings every stage's state); polling every POLL_MS when a stream cannot be
 * kept. Returns a stop function and a poke to read it now (after a cancel, say).
 */
export function watchWorkflow(client: ApiClient, id: string, handlers: WorkflowHandlers): { stop: () => void; poke: () => void } {
  const sources = new Map<string, { source: EventSource; errors: number }>();
  let stopped = false;
  let polling = typeof EventSource === 'undefined';
  let key: string | undefined;
  let reading = false;
  let readAgain = false;
  /** The current settling: reads left without a change, and whether one of its reads brought one. */
  let settle = { left: 0, moved: false, transitionReads: 0 };
  let timer: ReturnType<typeof setTimeout> | undefined;

  const schedule = (ms: number): void => {
    clearTimeout(timer);
    if (!stopped) timer = setTimeout(() => void read(), ms);
  };
  const closeAll = (): void => {
    for (const { source } of sources.values()) source.close();
    sources.clear();
  };
  const fallBack = (): void => {
    closeAll();
    polling = true;
    handlers.onMode('polling');
    schedule(POLL_MS);
  };
  const poke = (): void => {
    settle = { left: SETTLE_TRIES, moved: false, transitionReads: 0 };
    void read();
  };
  const open = (taskId: string): void => {
    const source = new EventSource(taskEventsPath(taskId, client.key));
    const entry = { source, errors: 0 };
    sources.set(taskId, entry);
    const moved = (): void => {
      entry.errors = 0;
      poke();
    };
    source.addEventListener('snapshot', () => {
      if (taskId === id) handlers.onMode('live');
      moved();
    });
    source.addEventListener('update', moved);
    source.addEventListener('end', () => {
      source.close();
      moved();
    });
    source.onerror = () => {
      if (source.readyState === EventSource.CLOSED && sources.get(taskId) !== entry) return;
      entry.errors += 1;
      // CLOSED: refused outright; otherwise EventSource is reconnecting by itself.
      if (source.readyState === EventSource.CLOSED || entry.errors >= MAX_SSE_ERRORS) fallBack();
    };
  };
  /** Keeps one stream open per task that can still tell something, and no other. */
  const follow = (view: WorkflowView): void => {
    if (polling) return;
    const wanted = new Set(streamedIds(view));
    for (const [taskId, { source }] of sources) {
      if (!wanted.has(taskId)) {
        source.close();
        sources.delete(taskId);
      }
    }
    for (const taskId of wanted) if (!sources.has(taskId)) open(taskId);
  };
  const next = (view: WorkflowView, moved: boolean): void => {
    if (isTerminal(view.status as TaskStatus)) {
      closeAll();
      clearTimeout(timer);
      handlers.onMode('ended');
      return;
    }
    follow(view);
    if (polling) return schedule(POLL_MS);
    // Settling: keep reading while reads bring changes, stop at the first unchanged read after a change or
    // after SETTLE_TRIES unchanged ones; and keep reading while the workflow is between two writes.
    if (moved) settle.moved = true;
    else if (settle.moved) settle.left = 0;
    else settle.left -= 1;
    const catchingUp = inTransition(view) && settle.transitionReads++ < TRANSITION_READS;
    schedule(settle.left > 0 || catchingUp ? SETTLE_MS : VERIFY_MS);
  };
  const read = async (): Promise<void> => {
    if (stopped) return;
    if (reading) return void (readAgain = true);
    reading = true;
    try {
      const view = await client.workflow(id);
      if (stopped) return;
      const fresh = viewKey(view);
      const moved = fresh !== key;
      key = fresh;
      if (moved) handlers.onView(view);
      next(view, moved);
    } catch (caught) {
      const error = asApiError(caught);
      handlers.onError(error);
      // A workflow that is gone, or a key that is refused, will not come back by asking again.
      if (![401, 403, 404].includes(error.status)) schedule(POLL_MS);
    } finally {
      reading = false;
    }
    if (readAgain && !stopped) {
      readAgain = false;
      void read();
    }
  };

  handlers.onMode(polling ? 'polling' : 'connecting');
  void read();
  return {
    poke,
    stop: () => {
      stopped = true;
      clearTimeout(timer);
      closeAll();
    },
  };
}
