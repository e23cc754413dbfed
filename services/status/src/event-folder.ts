import type { ConsumeMessage } from 'amqplib';
import { WORKFLOW_TYPE, isTerminal, type JobTypeDefinition, type TaskEvent, type TaskStatus } from '@taskyard/contracts';
import type { Logger } from '@taskyard/logging';
import { parseJson } from '@taskyard/messaging';
import { finishEffects, foldAll, observeFold, timerDecisions, type EndedTasks, type FoldResult, type ListMarks, type TaskState, type Outbox, type TaskModels } from '@taskyard/tasks';
import { dropEarlyEvents, keepEarlyEvents, type WorkflowModels } from '@taskyard/workflows';
import { applyEffects } from './fold-effects';
import type { StatusMetrics } from './status-metrics';
import { deleteTask, deletionRequested, type DeletionDeps } from './task-deletion';
import { AS_INSERTED, presumedTask, readTasks, writeFold, type FoldTask, type WriteExpectation } from './task-writes';
import type { WrittenTasks } from './written-tasks';
import type { TaskStatsRecorder } from './task-stats-recorder';
import { foldWorkflowTask } from './workflow-folder';
import { continuationStep, isWorkflowEvent, startContinuation, type WorkflowPart } from './continued-task';
import { applyTimers, type TimerDeps } from './timer-effects';

export interface FolderDeps extends TimerDeps, DeletionDeps {
  models: TaskModels;
  jobTypes: Map<string, JobTypeDefinition>;
  logger: Logger;
  metrics: StatusMetrics;
  /** The list marks of the lists a task enters when its status changes. */
  marks: ListMarks;
  /** Per-minute counters of the overview, counted in memory and flushed in batches. */
  stats: TaskStatsRecorder;
  workflowModels: WorkflowModels;
  /** Written before a workflow's stage tasks are inserted. */
  outbox: Outbox;
  /** Writes of different tasks in one batch run this many at a time. */
  writeConcurrency?: number;
  /** The partition's tasks as this process last wrote them (folded without a read); none: every task is read. */
  written?: WrittenTasks;
  /** The partition's tasks whose end this process wrote (their heartbeat checks acked unread); none: every check is read. */
  ended?: EndedTasks;
}

function groupByTask(events: TaskEvent[]): Map<string, TaskEvent[]> {
  const groups = new Map<string, TaskEvent[]>();
  for (const e of events) {
    const list = groups.get(e.taskId);
    if (list) list.push(e);
    else groups.set(e.taskId, [e]);
  }
  return groups;
}

/** Runs `fn` over the items, `limit` at a time; every item is tried, then the first failure is thrown. */
async function inParallel<T>(items: T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const failures: unknown[] = [];
  const lanes = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) await fn(items[next++]).catch((err: unknown) => void failures.push(err));
  });
  await Promise.all(lanes);
  // Thrown only once no fold of the batch is running: the batch is then requeued whole, and no two folds of a task overlap.
  if (failures.length) throw failures[0];
}

/** Timers are published to wait on purpose: their lag is their delay, not the status service's. */
const TIMER_KINDS: ReadonlySet<string> = new Set(['heartbeat-check', 'retention-due']);

function observeLag(metrics: StatusMetrics, events: TaskEvent[], now: number): void {
  for (const e of events) {
    if (TIMER_KINDS.has(e.kind)) continue;
    const at = Date.parse(e.at);
    if (Number.isFinite(at)) metrics.eventLag.observe(Math.max(0, now - at) / 1000);
  }
}

/** Event kinds that can end a task: one coming again to a finished task re-applies its finish effects. */
const FINISHING_KINDS: ReadonlySet<string> = new Set(['succeeded', 'failed', 'cancelled', 'cancel-requested', 'expired-in-queue', 'heartbeat-lost', 'child-finished']);

interface FoldOptions {
  /** The task was presumed as inserted (presumedTask), not read: written only if it still is. */
  presumed?: boolean;
  /** The task was not read: written only if the stored one is still as expected (as inserted, or as last written). */
  expect?: WriteExpectation;
  /** Which `written` drop the fold began after (a task folded across a drop is not remembered). */
  epoch?: number;
  /** One of the events was delivered before (the status service crashed or failed before acking it). */
  redelivered?: boolean;
}

/**
 * Folds a batch of one partition's events: one read of the tasks it can neither presume nor remember, then
 * per task every event in order and one write of what changed, then the effects. A fresh first attempt's run
 * carries the task as inserted, and a task this process wrote last is remembered (WrittenTasks), so neither is
 * read: the write is conditional on the stored task still being as inserted, or still holding the remembered
 * write's id, and only if it is not is the task read and folded again. The status service is the only writer
 * of a task after its insert, and one partition's batches run one after another, so no two writes race.
 */
export async function foldBatch(deps: FolderDeps, msgs: ConsumeMessage[]): Promise<void> {
  const events = msgs.map((m) => parseJson<TaskEvent>(m.content));
  deps.metrics.batchSize.observe(events.length);
  observeLag(deps.metrics, events, Date.now());
  const redelivered = new Set(events.filter((_, i) => msgs[i].fields.redelivered).map((e) => e.taskId));
  const groups = groupByTask(events);
  for (const [id, evs] of groups) {
    if (!onlyChecksOfEnded(deps, id, evs)) continue;
    countEvents(deps, evs, false);
    groups.delete(id);
  }
  const epoch = deps.written?.epoch;
  const known = new Map<string, FoldTask>();
  const toRead: string[] = [];
  for (const [id, evs] of groups) {
    const t = deps.written?.take(id) ?? presumedTask(evs);
    if (t) known.set(id, t);
    else toRead.push(id);
  }
  const tasks = await readFoldTasks(deps, toRead);
  await inParallel([...groups.entries()], deps.writeConcurrency ?? 16, async ([taskId, taskEvents]) => {
    const opts = { redelivered: redelivered.has(taskId), epoch };
    const guess = known.get(taskId);
    if (guess && (await foldTask(deps, guess, taskEvents, { ...opts, ...unread(guess) }))) return;
    const task = guess ? (await readFoldTasks(deps, [taskId])).get(taskId) : tasks.get(taskId);
    if (!task) {
      deps.logger.warn({ taskId, kinds: taskEvents.map((e) => e.kind) }, 'events for an unknown task; dropped');
      return;
    }
    // A task read found its end taken by the time it was written: only another writer of the task could (SPEC rule 1).
    if (!(await foldTask(deps, task, taskEvents, opts))) deps.logger.warn({ taskId, kinds: taskEvents.map((e) => e.kind) }, 'the end of a task read was already stored; events dropped');
  });
}

/**
 * Heartbeat checks of a task whose end this partition wrote: a long job's start arms one a window later, which
 * nearly always comes after the job ended, and a check decides nothing for a task not running (task-timers.ts;
 * an end is final): acked without reading the task and its outcome. Any other task's check is read as before.
 */
function onlyChecksOfEnded(deps: FolderDeps, taskId: string, events: TaskEvent[]): boolean {
  return deps.ended !== undefined && deps.ended.isEnded(taskId) && events.every((e) => e.kind === 'heartbeat-check');
}

/** How a task not read is folded: remembered as last written (its `foldWrite`), or presumed as inserted. */
const unread = (t: FoldTask): FoldOptions => (t.foldWrite ? { expect: { foldWrite: t.foldWrite } } : { presumed: true, expect: AS_INSERTED });

function readFoldTasks(deps: FolderDeps, ids: string[]): Promise<Map<string, FoldTask>> {
  if (ids.length) deps.metrics.reads.inc(ids.length);
  return readTasks(deps.models, ids);
}

/** Folds one task's events; false when a presumed task's write found the stored task not as presumed (nothing done). */
async function foldTask(deps: FolderDeps, task: FoldTask, events: TaskEvent[], opts: FoldOptions): Promise<boolean> {
  if (task.type === WORKFLOW_TYPE && task.workflow) {
    await foldWorkflowTask(deps, task, events);
    return true;
  }
  // A child's end told before its task's workflow record is written: kept for the continuation to fold (early-events.ts).
  if (!task.workflow && !isTerminal(task.status) && events.some((e) => e.kind === 'child-finished')) {
    await keepEarlyEvents(deps.workflowModels.EarlyEvent, task._id, events);
  }
  // A run that continued as a workflow: what follows it in the batch is the workflow's (its children's ends, a cancel).
  const cut = task.workflow ? -1 : events.findIndex((e) => e.kind === 'continued-as-workflow');
  if (cut >= 0 && cut < events.length - 1) {
    const next = await foldJobTask(deps, task, events.slice(0, cut + 1), opts);
    if (next === false) return false;
    if (next) await foldTask(deps, next, events.slice(cut + 1), { redelivered: opts.redelivered, epoch: opts.epoch });
    return true;
  }
  if (task.workflow && task.status === 'running') {
    const part = await continuationStep(deps, task, events.filter(isWorkflowEvent));
    return (await foldJobTask(deps, task, events.filter((e) => !isWorkflowEvent(e)), opts, part)) !== false;
  }
  return (await foldJobTask(deps, task, events, opts)) !== false;
}

const merged = <T extends TaskState>(a: FoldResult<T>, b: FoldResult<T>): FoldResult<T> => ({
  state: b.state,
  changes: a.changes || b.changes ? { ...(a.changes ?? {}), ...(b.changes ?? {}) } : null,
  effects: [...a.effects, ...b.effects],
});

/**
 * Folds a job's task: its own events, and what its workflow decided (`part`, when its handler continued as
 * one). Answers the task as written (undefined when it was deleted), or false when a presumed task's write
 * found the stored task not as presumed (nothing written: it is read and folded again).
 */
async function foldJobTask(deps: FolderDeps, task: FoldTask, events: TaskEvent[], opts: FoldOptions, part?: WorkflowPart): Promise<FoldTask | undefined | false> {
  const def = deps.jobTypes.get(task.type);
  const ctx = { retentionMs: def?.limits.retentionMs ?? 24 * 3600_000 };
  let r = foldAll(part ? { ...task, ...part.changes } : task, events, ctx);
  if (opts.presumed && !r.changes) return false;
  // A fold not read is counted once written (a miss folds it again, read).
  if (!opts.expect || !r.changes) countEvents(deps, events, r.changes !== null);
  if (part) r = merged({ state: r.state, changes: part.changes, effects: [] }, r);
  const continued = task.workflow ? undefined : events.find((e) => e.kind === 'continued-as-workflow');
  // Only a continuation the fold took (its run's, not a stale repeat) starts the workflow: its children are
  // inserted before the task's write (deterministic ids: a repeat after a crash or a presumed miss makes none twice).
  if (continued?.kind === 'continued-as-workflow' && r.state.status === 'running' && r.state.runId === continued.runId && r.state.lastSeq === continued.seq) {
    part = await startContinuation(deps, r.state, continued);
    r = merged(r, { state: { ...r.state, ...part.changes }, changes: part.changes, effects: [] });
  }
  if (part?.end) r = merged(r, foldAll(r.state, [part.end], ctx));
  // The fold's state is the task as folded (every field of the task, the fold's over them): not copied again.
  const { state, changes, effects } = r;
  if (deletionRequested(state, events)) {
    await deleteTask(deps, state);
    deps.stats.removed(task.type, state.status);
    return undefined;
  }
  // Armed before the write even for a presumed task: a timer of a state never written decides nothing when it fires.
  if (def) await applyTimers(deps, def, state, timerDecisions(task, state, events, { now: Date.now(), heartbeatWindowMs: def.limits.heartbeatWindowMs }));
  if (!changes) {
    if (opts.redelivered && isFinished(task.status) && events.some((e) => FINISHING_KINDS.has(e.kind))) await reapplyFinish(deps, task);
    if (opts.epoch !== undefined) deps.written?.remember(task, opts.epoch);
    return task;
  }
  // A workflow's stage tells its workflow before its own write: a restart in between tells it again (the
  // workflow ignores a repeat), where telling it after could be lost and stall the workflow.
  const tellFirst = task.stage !== undefined;
  if (tellFirst) await applyEffects(deps, state, effects.filter((e) => e.kind === 'notify-parent'));
  const written = await writeFold(deps, task, changes, opts.expect);
  if (written === false) {
    (opts.presumed ? deps.metrics.presumedMisses : deps.metrics.writtenMisses).inc();
    return false;
  }
  if (opts.expect) countEvents(deps, events, true);
  if (written && isTerminal(state.status)) deps.ended?.noteEnded([task._id]);
  const after: FoldTask = written ? { ...state, foldWrite: written } : state;
  if (written && opts.epoch !== undefined) deps.written?.remember(after, opts.epoch);
  if (part?.early) await dropEarlyEvents(deps.workflowModels.EarlyEvent, part.early);
  const observed = observeFold(task, state);
  deps.metrics.observe(task.type, observed);
  deps.stats.record(task.type, task.owner, observed);
  await applyEffects(deps, after, tellFirst ? effects.filter((e) => e.kind !== 'notify-parent') : effects);
  return after;
}

function countEvents(deps: FolderDeps, events: TaskEvent[], applied: boolean): void {
  for (const e of events) deps.metrics.events.inc({ kind: e.kind, applied: String(applied) });
}

const isFinished = (status: TaskStatus): boolean => isTerminal(status) && status !== 'expired';

/**
 * The event that ended the task came again: the status service stopped (or an effect failed) after the
 * write and before every finish effect was done. Each is done again; each is safe to repeat (the slot's
 * delete, the parent's fold, the callback's delivery, which starts once: callback-delivery.ts).
 */
async function reapplyFinish(deps: FolderDeps, task: FoldTask): Promise<void> {
  deps.logger.info({ taskId: task._id, status: task.status }, 'finish effects applied again (event redelivered to a finished task)');
  await applyEffects(deps, task, finishEffects(task, task.status), { repeat: true });
}
