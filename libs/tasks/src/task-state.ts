import type { AttemptOutcome, AttemptRecord, LogLine, TaskError, TaskEvent, TaskStatus } from '@taskyard/contracts';
import { isTerminal } from '@taskyard/contracts';
import type { TaskRecord } from './task-record';

/** Allowed transitions, in one place. Terminal states never change except `succeeded` → `expired`. */
export const TRANSITIONS: Record<TaskStatus, readonly TaskStatus[]> = {
  // A worker may start a scheduled task before the scheduler's `released` event is folded.
  scheduled: ['queued', 'running', 'cancelled', 'failed'],
  queued: ['running', 'cancelled', 'failed'],
  running: ['running', 'succeeded', 'failed', 'retrying', 'cancelled'],
  retrying: ['running', 'cancelled', 'failed'],
  succeeded: ['expired'],
  failed: [],
  cancelled: [],
  expired: [],
};

export const canTransition = (from: TaskStatus, to: TaskStatus): boolean => TRANSITIONS[from].includes(to);

export const LOG_CAP = 200;

/** What the status service must do after a fold is written. */
export type FoldEffect =
  | { kind: 'release-slot'; slotId: string }
  | { kind: 'notify-parent'; parentId: string }
  | { kind: 'terminal'; status: TaskStatus };

export interface FoldContext {
  retentionMs: number;
  logCap?: number;
}

/** The fields of a task the fold reads and writes. */
export type TaskState = Pick<
  TaskRecord,
  | '_id' | 'status' | 'progress' | 'attempt' | 'maxAttempts' | 'artifacts' | 'error' | 'logs' | 'parentId' | 'slotId'
  | 'startedAt' | 'finishedAt' | 'expiresAt' | 'durationMs' | 'runId' | 'lastSeq' | 'heartbeatAt' | 'cancelRequestedAt'
  | 'retryAt' | 'result' | 'workflow' | 'failedKey' | 'attempts'
> &
  Partial<Pick<TaskRecord, 'queuedAt' | 'type'>>;

/** What a fold made of a task of type T: its state keeps every field of the task folded (T's too). */
export interface FoldResult<T extends TaskState = TaskState> {
  state: T;
  /** Fields that changed (what one `$set` writes), or null when the event changes nothing. */
  changes: Partial<TaskState> | null;
  effects: FoldEffect[];
}

function appendLogs(existing: LogLine[], more: LogLine[] | undefined, cap: number): LogLine[] {
  if (!more || more.length === 0) return existing;
  const all = existing.concat(more);
  return all.length > cap ? all.slice(all.length - cap) : all;
}

/** True when an event of a run is the current run's and newer than anything folded from it. */
function fromCurrentRun(task: TaskState, e: { runId: string; seq: number }): boolean {
  return task.status === 'running' && task.runId === e.runId && e.seq > (task.lastSeq ?? -1);
}

type Patch = Partial<TaskState>;

/** Attempts kept on a task (the timeline): bounded, as redeliveries could otherwise add without end. */
export const ATTEMPTS_CAP = 50;

/** The history with a new attempt started at `at` (an open one left behind was redelivered: its worker died). */
function startAttempt(task: TaskState, attempt: number, at: Date): AttemptRecord[] {
  const closed = endAttempt(task, at, 'redelivered') ?? task.attempts ?? [];
  const all = closed.concat({ attempt, startedAt: at });
  return all.length > ATTEMPTS_CAP ? all.slice(all.length - ATTEMPTS_CAP) : all;
}

/** The history with its open attempt ended, or undefined when no attempt is open (nothing to write). */
function endAttempt(task: TaskState, at: Date, outcome: AttemptOutcome, error?: TaskError, retryAt?: Date): AttemptRecord[] | undefined {
  const list = task.attempts ?? [];
  const last = list[list.length - 1];
  if (!last || last.endedAt) return undefined;
  const ended: AttemptRecord = { ...last, endedAt: at, outcome, ...(error ? { error } : {}), ...(retryAt ? { retryAt } : {}) };
  return list.slice(0, -1).concat(ended);
}

/** `attempts` in a patch only when it changed. */
const attemptsPatch = (attempts: AttemptRecord[] | undefined): Patch => (attempts ? { attempts } : {});

/** The bucket a failed task is found by for a bulk retry: its type and the UTC day it failed. */
export const failedKey = (type: string, at: Date): string => `${type}|${at.toISOString().slice(0, 10)}`;

function finish(task: TaskState, status: TaskStatus, at: Date, patch: Patch): Patch {
  const startedAt = task.startedAt;
  return {
    ...patch,
    status,
    finishedAt: at,
    ...(status === 'failed' && task.type ? { failedKey: failedKey(task.type, at) } : {}),
    durationMs: startedAt ? at.getTime() - startedAt.getTime() : 0,
  };
}

function patchFor(task: TaskState, event: TaskEvent, ctx: FoldContext): Patch | null {
  const at = new Date(event.at);
  const cap = ctx.logCap ?? LOG_CAP;
  switch (event.kind) {
    case 'started': {
      // A later attempt may also find the task `running` when the previous attempt's `failed` event was lost.
      const newAttempt =
        event.attempt > task.attempt && (task.status === 'scheduled' || task.status === 'queued' || task.status === 'retrying' || (task.status === 'running' && !task.workflow));
      // The same attempt started again by another run: the broker redelivered it after its worker died.
      const redelivered = event.attempt === task.attempt && task.status === 'running' && task.runId !== event.runId && !task.workflow;
      if (!newAttempt && !redelivered) return null;
      return {
        status: 'running',
        attempt: event.attempt,
        runId: event.runId,
        lastSeq: event.seq,
        heartbeatAt: at,
        startedAt: task.startedAt ?? at,
        retryAt: undefined,
        attempts: startAttempt(task, event.attempt, at),
      };
    }
    case 'progress':
      if (!fromCurrentRun(task, event)) return null;
      return {
        lastSeq: event.seq,
        heartbeatAt: at,
        ...(event.progress !== undefined ? { progress: Math.max(0, Math.min(100, Math.round(event.progress))) } : {}),
        ...(event.logs?.length ? { logs: appendLogs(task.logs, event.logs, cap) } : {}),
      };
    case 'heartbeat':
      if (!fromCurrentRun(task, event)) return null;
      return { lastSeq: event.seq, heartbeatAt: at };
    case 'succeeded':
      if (!fromCurrentRun(task, event)) return null;
      // An earlier attempt's error does not outlive the success that followed it.
      return finish(task, 'succeeded', at, {
        ...attemptsPatch(endAttempt(task, at, 'succeeded')),
        lastSeq: event.seq,
        error: undefined,
        progress: 100,
        artifacts: event.artifacts,
        logs: appendLogs(task.logs, event.logs, cap),
        expiresAt: new Date(at.getTime() + ctx.retentionMs),
        ...(event.result ? { result: event.result } : {}),
      });
    case 'failed': {
      if (!fromCurrentRun(task, event)) return null;
      const retryAt = event.retryAt && !event.final ? new Date(event.retryAt) : undefined;
      const common = { lastSeq: event.seq, error: event.error, logs: appendLogs(task.logs, event.logs, cap), ...attemptsPatch(endAttempt(task, at, 'failed', event.error, retryAt)) };
      if (event.final || task.cancelRequestedAt) return finish(task, task.cancelRequestedAt ? 'cancelled' : 'failed', at, common);
      return { ...common, status: 'retrying', retryAt };
    }
    case 'cancelled':
      if (!fromCurrentRun(task, event)) return null;
      return finish(task, 'cancelled', at, { lastSeq: event.seq, logs: appendLogs(task.logs, event.logs, cap), ...attemptsPatch(endAttempt(task, at, 'cancelled')) });
    case 'continued-as-workflow':
      // The run is over; the task stays running while its workflow does (the status service starts it and, being
      // the task's one writer, folds its children's events into it from now on, until 'workflow-ended').
      if (!fromCurrentRun(task, event)) return null;
      return { lastSeq: event.seq, heartbeatAt: at, logs: appendLogs(task.logs, event.logs, cap), ...(event.result ? { result: event.result } : {}) };
    case 'cancel-requested':
      if (task.status === 'scheduled' || task.status === 'queued' || task.status === 'retrying') return finish(task, 'cancelled', at, { cancelRequestedAt: at });
      // A task continued as a workflow is cancelled by its workflow's fold (which cancels its children), not here.
      if (task.status === 'running' && !task.cancelRequestedAt && !task.workflow) return { cancelRequestedAt: at };
      return null;
    case 'released':
      if (task.status !== 'scheduled') return null;
      return { status: 'queued', queuedAt: at };
    case 'delete-requested':
      // Not a change of the task: the status service deletes a finished task after the fold (event-folder).
      return null;
    case 'expired-in-queue':
      if (task.status !== 'queued' && task.status !== 'retrying') return null;
      return finish(task, 'failed', at, {
        error: { code: 'expired-in-queue', message: 'The task waited in its queue longer than its type allows.' },
      });
    case 'heartbeat-lost':
      if (task.status !== 'running' || task.runId !== event.runId || task.workflow) return null;
      {
        const error = { code: 'heartbeat-lost', message: 'The worker running this task stopped sending heartbeats.' };
        const retryAt = event.retryAt && !event.final ? new Date(event.retryAt) : undefined;
        const attempts = attemptsPatch(endAttempt(task, at, 'heartbeat-lost', error, retryAt));
        if (event.final) return finish(task, 'failed', at, { error, ...attempts });
        return { status: 'retrying', error, retryAt, ...attempts };
      }
    case 'heartbeat-check':
    case 'retention-due':
    case 'list-prune':
      // Timers change nothing by themselves: the status service decides on them (task-timers.ts).
      return null;
    case 'artifacts-expired':
      if (task.status !== 'succeeded') return null;
      return { status: 'expired' };
    case 'child-finished':
      // A parent's children are a workflow's stage tasks: the workflow's fold counts them ('workflow-ended' ends the task).
      return null;
    case 'workflow-ended':
      // Ends a task waiting on its workflow as any task ends: its attempt closed, retention set, slot released, its
      // result kept. Only the status service sends it, for a task with a workflow (an event stream may hold the task
      // from before its record was added, so the record is not required here).
      if (task.status !== 'running') return null;
      if (event.status === 'succeeded') {
        return finish(task, 'succeeded', at, { ...attemptsPatch(endAttempt(task, at, 'succeeded')), error: undefined, progress: 100, artifacts: event.artifacts ?? [], expiresAt: new Date(at.getTime() + ctx.retentionMs) });
      }
      if (event.status === 'failed') return finish(task, 'failed', at, { ...attemptsPatch(endAttempt(task, at, 'failed', event.error)), error: event.error });
      return finish(task, 'cancelled', at, { ...attemptsPatch(endAttempt(task, at, 'cancelled')), cancelRequestedAt: at });
  }
}

/**
 * Folds one event into a task: the task's next state, the fields that changed, and the effects to carry
 * out after writing. A stale, duplicate or out-of-order event, or one no transition allows, changes nothing.
 */
export function fold<T extends TaskState>(task: T, event: TaskEvent, ctx: FoldContext): FoldResult<T> {
  if (isTerminal(task.status) && !(task.status === 'succeeded' && event.kind === 'artifacts-expired')) {
    return { state: task, changes: null, effects: [] };
  }
  const patch = patchFor(task, event, ctx);
  if (!patch || (patch.status && !canTransition(task.status, patch.status))) return { state: task, changes: null, effects: [] };
  const state = { ...task, ...patch };
  const ends = patch.status && patch.status !== task.status && isTerminal(patch.status) && patch.status !== 'expired';
  return { state, changes: patch, effects: ends ? finishEffects(task, patch.status!) : [] };
}

/**
 * What a task's reaching the terminal `status` asks of the status service. Each is safe to repeat, so
 * they are applied again when the event that ended the task comes again (redelivered after a crash or a
 * failure between the write and them).
 */
export function finishEffects(task: Pick<TaskState, 'slotId' | 'parentId'>, status: TaskStatus): FoldEffect[] {
  const effects: FoldEffect[] = [{ kind: 'terminal', status }];
  if (task.slotId) effects.push({ kind: 'release-slot', slotId: task.slotId });
  if (task.parentId) effects.push({ kind: 'notify-parent', parentId: task.parentId });
  return effects;
}

/** An outcome that carries its run's start (a fast job's) stands for the `started` event, then itself. */
export function withRunStart(e: TaskEvent): TaskEvent[] {
  if ((e.kind !== 'succeeded' && e.kind !== 'failed' && e.kind !== 'cancelled') || !e.started || e.attempt === undefined) return [e];
  const started: TaskEvent = { kind: 'started', taskId: e.taskId, type: e.type, at: e.started.at, attempt: e.attempt, runId: e.runId, seq: e.seq - 1, workerId: e.started.workerId };
  return [started, e];
}

/** Folds several events of one task in order: one write for all of them (the coalescing the status service does). */
export function foldAll<T extends TaskState>(task: T, events: TaskEvent[], ctx: FoldContext): FoldResult<T> {
  let state = task;
  let changes: Partial<TaskState> | null = null;
  const effects: FoldEffect[] = [];
  for (const e of events.flatMap(withRunStart)) {
    const r = fold(state, e, ctx);
    if (!r.changes) continue;
    state = r.state;
    // Into one copy of its own: a spread that adds fields to a copy goes field by field through V8's runtime (slow).
    changes = changes ? Object.assign(changes, r.changes) : { ...r.changes };
    effects.push(...r.effects);
  }
  return { state, changes, effects };
}
