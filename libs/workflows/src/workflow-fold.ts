import {
  MAX_FAN_OUT,
  stageTaskId,
  type ArtifactRef,
  type LogLine,
  type StageProgress,
  type TaskError,
  type TaskEvent,
  type TaskStatus,
  type WorkflowDefinition,
  type WorkflowRecord,
  type WorkflowStage,
} from '@taskyard/contracts';
import { LOG_CAP } from '@taskyard/tasks';

/** The fields of a workflow's parent task its fold reads and writes. */
export interface WorkflowTask {
  _id: string;
  status: TaskStatus;
  progress: number;
  logs: LogLine[];
  artifacts: ArtifactRef[];
  error?: TaskError;
  result?: Record<string, unknown>;
  startedAt?: Date;
  finishedAt?: Date;
  durationMs?: number;
  cancelRequestedAt?: Date;
  workflow: WorkflowRecord;
}

/** What the status service must do for a folded workflow, BEFORE it writes the parent (each safe to repeat). */
export type WorkflowEffect =
  /** Insert the stage's task(s) (deterministic ids: a duplicate means already started) and publish them. */
  | { kind: 'start-stage'; stage: WorkflowStage; index: number; received: Record<string, unknown>; skip?: number[] }
  | { kind: 'start-on-failure'; received: Record<string, unknown>; failure: { stage: string; error: TaskError } }
  /** Cancel every unfinished task of these stages (a fan-out's children by their ids 1..total). */
  | { kind: 'cancel-stages'; stages: StageProgress[] }
  /** The workflow ends with the outputs of this fan-out: its children's artifacts, read from the outputs. */
  | { kind: 'collect-artifacts'; stage: string };

export interface WorkflowFoldContext {
  /** Per fan-out stage: how many children's outputs are stored (a count, never an increment). */
  outputs: Map<string, number>;
  knownType: (type: string) => boolean;
  logCap?: number;
  /** A retried fan-out: the items (0-based) whose outputs it kept from the failed workflow (not run again). */
  reused?: ReadonlySet<number>;
}

export interface WorkflowFoldResult {
  state: WorkflowTask;
  changes: Partial<WorkflowTask> | null;
  effects: WorkflowEffect[];
}

const FINISHED: readonly TaskStatus[] = ['succeeded', 'failed', 'cancelled', 'expired'];

/** Copies what a fold changes, so nothing of the task read from the database is mutated. */
function cloneRecord(w: WorkflowRecord): WorkflowRecord {
  return { ...w, stages: w.stages.map((s) => ({ ...s })), ...(w.onFailure ? { onFailure: { ...w.onFailure } } : {}), received: { ...w.received } };
}

class Fold {
  readonly effects: WorkflowEffect[] = [];
  private readonly lines: LogLine[] = [];
  readonly wf: WorkflowRecord;
  patch: Partial<WorkflowTask> = {};
  /** Set when the record changed without a log line or an effect (a fan-out's count). */
  touched = false;

  constructor(
    readonly task: WorkflowTask,
    private readonly at: Date,
    private readonly ctx: WorkflowFoldContext,
  ) {
    this.wf = cloneRecord(task.workflow);
  }

  log(message: string, level: LogLine['level'] = 'info'): void {
    this.lines.push({ at: this.at.toISOString(), level, message });
  }

  get logs(): LogLine[] {
    return this.lines;
  }

  /** Starts stage `index` with what it receives; a fan-out whose items cannot be fanned out fails at once. */
  startStage(index: number, received: Record<string, unknown>): void {
    const stage = this.wf.definition.stages[index];
    const progress = this.wf.stages[index];
    if (!this.ctx.knownType(stage.type)) return this.stageFailed(progress, { code: 'unknown-type', message: `job type "${stage.type}" is not enabled in this deployment` });
    if (stage.kind === 'fan-out') {
      const items = received[stage.items];
      const rest = Object.fromEntries(Object.entries(received).filter(([k]) => k !== stage.items));
      this.wf.received[stage.name] = rest;
      if (!Array.isArray(items)) {
        return this.stageFailed(progress, { code: 'no-items', message: `stage "${stage.name}" fans out over "${stage.items}", which it did not receive as an array` });
      }
      if (items.length > MAX_FAN_OUT) {
        return this.stageFailed(progress, { code: 'too-many-items', message: `stage "${stage.name}" received ${items.length} items; a fan-out makes at most ${MAX_FAN_OUT}` });
      }
      const kept = [...(this.ctx.reused ?? [])].filter((i) => i < items.length).sort((a, b) => a - b);
      Object.assign(progress, { state: 'started', total: items.length, done: kept.length, failed: 0 });
      const keptNote = kept.length ? `, ${kept.length} kept from the workflow retried (not run again)` : '';
      this.log(`stage ${stage.name} started: ${items.length} child task(s) of ${stage.type}${keptNote}`);
      if (kept.length === items.length) return this.stageSucceeded(index, undefined);
      this.effects.push({ kind: 'start-stage', stage, index, received, ...(kept.length ? { skip: kept } : {}) });
      return;
    } else {
      this.wf.received[stage.name] = received;
      progress.state = 'started';
      this.log(`stage ${stage.name} started (${stage.type})`);
    }
    this.effects.push({ kind: 'start-stage', stage, index, received });
  }

  /** A stage succeeded: the next one starts with its result (a fan-in with what the fan-out received), or the workflow ends. */
  stageSucceeded(index: number, result: Record<string, unknown> | undefined, artifacts?: ArtifactRef[]): void {
    const stage = this.wf.definition.stages[index];
    this.wf.stages[index].state = 'succeeded';
    this.log(`stage ${stage.name} succeeded`);
    const next = this.wf.definition.stages[index + 1];
    if (next) return this.startStage(index + 1, next.kind === 'fan-in' ? this.wf.received[stage.name] ?? {} : result ?? {});
    if (stage.kind === 'fan-out') this.effects.push({ kind: 'collect-artifacts', stage: stage.name });
    this.finish('succeeded', { artifacts: artifacts ?? [], progress: 100, ...(result ? { result } : {}) });
  }

  stageFailed(progress: StageProgress, error: TaskError): void {
    Object.assign(progress, { state: 'failed', error });
    this.log(`stage ${progress.name} failed: ${error.message}`, 'error');
    const others = this.wf.stages.filter((s) => s.state === 'started' && s.name !== progress.name);
    if (progress.kind === 'fan-out') this.effects.push({ kind: 'cancel-stages', stages: [progress, ...others] });
    const failure = { stage: progress.name, error };
    const onFailure = this.wf.definition.onFailure;
    if (onFailure && !this.wf.onFailure && this.ctx.knownType(onFailure.type)) {
      this.wf.onFailure = { name: onFailure.name, type: onFailure.type, kind: 'on-failure', state: 'started', taskId: stageTaskId(this.task._id, onFailure.name) };
      this.patch.error = { code: 'stage-failed', message: `stage ${progress.name} failed: ${error.message}` };
      this.log(`on-failure stage ${onFailure.name} started`);
      this.effects.push({ kind: 'start-on-failure', received: this.wf.received[progress.name] ?? {}, failure });
      return;
    }
    this.finish('failed', { error: { code: 'stage-failed', message: `stage ${progress.name} failed: ${error.message}` } });
  }

  finish(status: TaskStatus, patch: Partial<WorkflowTask>): void {
    const at = this.at;
    const startedAt = this.task.startedAt;
    this.patch = { ...this.patch, ...patch, status, finishedAt: at, durationMs: startedAt ? at.getTime() - new Date(startedAt).getTime() : 0 };
    this.log(`workflow ${status}`, status === 'succeeded' ? 'info' : 'warn');
  }
}

/** The stages' weight in one figure: a finished stage counts 1, a fan-out its share of finished children. */
export function workflowProgress(w: WorkflowRecord): number {
  const n = w.stages.length;
  const done = w.stages.reduce((sum, s) => {
    if (s.state === 'succeeded' || s.state === 'skipped') return sum + 1;
    if (s.state === 'started' && s.total) return sum + (s.done ?? 0) / s.total;
    return sum;
  }, 0);
  return Math.floor((100 * done) / n);
}

function onEvent(f: Fold, event: TaskEvent, ctx: WorkflowFoldContext): void {
  if (event.kind === 'cancel-requested') {
    const open = [...f.wf.stages, ...(f.wf.onFailure ? [f.wf.onFailure] : [])].filter((s) => s.state === 'started');
    for (const s of open) s.state = 'cancelled';
    if (open.length) f.effects.push({ kind: 'cancel-stages', stages: open });
    f.patch.cancelRequestedAt = new Date(event.at);
    f.finish('cancelled', {});
    return;
  }
  if (event.kind !== 'child-finished' || !event.stage) return;
  const ref = event.stage;
  if (ref.kind === 'on-failure') {
    const s = f.wf.onFailure;
    if (!s || s.state !== 'started') return;
    s.state = event.childStatus === 'succeeded' ? 'succeeded' : event.childStatus;
    f.log(`on-failure stage ${s.name} ${event.childStatus}`);
    f.finish('failed', {});
    return;
  }
  const index = f.wf.definition.stages.findIndex((s) => s.name === ref.stage);
  const progress = f.wf.stages[index];
  if (!progress || progress.state !== 'started') return;
  if (event.childStatus !== 'succeeded') {
    if (ref.kind === 'fan-out') progress.failed = (progress.failed ?? 0) + 1;
    const error = event.error ?? { code: event.childStatus, message: `task ${event.childId} ${event.childStatus}` };
    f.stageFailed(progress, ref.kind === 'fan-out' ? { code: error.code, message: `child ${event.childId}: ${error.message}` } : error);
    return;
  }
  if (ref.kind !== 'fan-out') return f.stageSucceeded(index, event.result, event.artifacts);
  const count = Math.max(progress.done ?? 0, ctx.outputs.get(ref.stage) ?? 0);
  f.touched = count !== progress.done;
  progress.done = count;
  if (progress.done >= (progress.total ?? 0)) f.stageSucceeded(index, undefined);
}

/**
 * Folds a batch of a workflow's events into its parent: which stage starts next, when it ends. Pure: the
 * status service carries out the effects (before writing, so a crash in between repeats them, and the
 * stage tasks' deterministic ids make a repeat start nothing twice) and then writes the changes.
 */
export function foldWorkflow(task: WorkflowTask, events: TaskEvent[], ctx: WorkflowFoldContext): WorkflowFoldResult {
  let state = task;
  let changes: Partial<WorkflowTask> | null = null;
  const effects: WorkflowEffect[] = [];
  for (const event of events) {
    if (FINISHED.includes(state.status) || !state.workflow) break;
    const f = new Fold(state, new Date(event.at), ctx);
    onEvent(f, event, ctx);
    const changed = f.touched || f.logs.length > 0 || f.effects.length > 0 || Object.keys(f.patch).length > 0;
    if (!changed) continue;
    const patch: Partial<WorkflowTask> = {
      ...f.patch,
      workflow: f.wf,
      logs: appendCapped(state.logs, f.logs, ctx.logCap ?? LOG_CAP),
      ...(f.patch.status === undefined ? { progress: workflowProgress(f.wf) } : {}),
    };
    state = { ...state, ...patch };
    changes = { ...(changes ?? {}), ...patch };
    effects.push(...f.effects);
  }
  return { state, changes, effects };
}

function appendCapped(existing: LogLine[], more: LogLine[], cap: number): LogLine[] {
  const all = existing.concat(more);
  return all.length > cap ? all.slice(all.length - cap) : all;
}

/** A new workflow's record, with `from` (0 unless a retry) started: its effects start that stage's task(s). */
export function initialWorkflow(
  task: Omit<WorkflowTask, 'workflow'>,
  definition: WorkflowDefinition,
  params: Record<string, unknown>,
  opts: { from?: number; knownType: (type: string) => boolean; retryOf?: WorkflowRecord['retryOf']; at: Date; reused?: ReadonlySet<number> },
): WorkflowFoldResult {
  const from = opts.from ?? 0;
  const workflow: WorkflowRecord = {
    definition,
    stages: definition.stages.map((s, i) => ({
      name: s.name,
      type: s.type,
      kind: s.kind ?? 'task',
      state: i < from ? 'skipped' : 'waiting',
      taskId: stageTaskId(task._id, s.name),
    })),
    received: {},
    ...(opts.retryOf ? { retryOf: opts.retryOf } : {}),
  };
  const f = new Fold({ ...task, workflow }, opts.at, { outputs: new Map(), knownType: opts.knownType, ...(opts.reused ? { reused: opts.reused } : {}) });
  if (opts.retryOf) f.log(`retry of workflow ${opts.retryOf.workflowId} from stage ${opts.retryOf.fromStage}`);
  f.startStage(from, params);
  const state: WorkflowTask = { ...task, ...f.patch, workflow: f.wf, logs: f.logs };
  if (f.patch.status === undefined) state.progress = workflowProgress(f.wf);
  return { state, changes: null, effects: f.effects };
}
