import type { ConsumeMessage } from 'amqplib';
import { WORKFLOW_TYPE, type JobTypeDefinition, type TaskEvent } from '@taskyard/contracts';
import type { Logger } from '@taskyard/logging';
import { parseJson } from '@taskyard/messaging';
import { foldAll, observeFold, timerDecisions, type ListMarks, type Outbox, type TaskModels } from '@taskyard/tasks';
import type { WorkflowModels } from '@taskyard/workflows';
import { applyEffects } from './fold-effects';
import type { StatusMetrics } from './status-metrics';
import { deleteTask, deletionRequested, type DeletionDeps } from './task-deletion';
import { readTasks, writeFold, type FoldTask } from './task-writes';
import type { TaskStatsRecorder } from './task-stats-recorder';
import { foldWorkflowTask } from './workflow-folder';
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

async function inParallel<T>(items: T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const lanes = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) await fn(items[next++]);
  });
  await Promise.all(lanes);
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

/**
 * Folds a batch of one partition's events: one read of all their tasks, then per task every event in
 * order and one write of what changed, then the effects. The status service is the only writer of a
 * task after its insert, and one partition's batches run one after another, so no two writes race.
 */
export async function foldBatch(deps: FolderDeps, msgs: ConsumeMessage[]): Promise<void> {
  const events = msgs.map((m) => parseJson<TaskEvent>(m.content));
  deps.metrics.batchSize.observe(events.length);
  observeLag(deps.metrics, events, Date.now());
  const groups = groupByTask(events);
  const tasks = await readTasks(deps.models.Task, [...groups.keys()]);
  await inParallel([...groups.entries()], deps.writeConcurrency ?? 16, async ([taskId, taskEvents]) => {
    const task = tasks.get(taskId);
    if (!task) {
      deps.logger.warn({ taskId, kinds: taskEvents.map((e) => e.kind) }, 'events for an unknown task; dropped');
      return;
    }
    await foldTask(deps, task, taskEvents);
  });
}

async function foldTask(deps: FolderDeps, task: FoldTask, events: TaskEvent[]): Promise<void> {
  if (task.type === WORKFLOW_TYPE && task.workflow) return foldWorkflowTask(deps, task, events);
  const def = deps.jobTypes.get(task.type);
  const retentionMs = def?.limits.retentionMs ?? 24 * 3600_000;
  const { state, changes, effects } = foldAll(task, events, { retentionMs });
  for (const e of events) deps.metrics.events.inc({ kind: e.kind, applied: String(changes !== null) });
  if (deletionRequested({ ...task, ...state }, events)) {
    await deleteTask(deps, { ...task, ...state });
    deps.stats.removed(task.type, state.status);
    return;
  }
  if (def) await applyTimers(deps, def, { ...task, ...state }, timerDecisions(task, state, events, { now: Date.now(), heartbeatWindowMs: def.limits.heartbeatWindowMs }));
  if (!changes) return;
  // A workflow's stage tells its workflow before its own write: a restart in between tells it again (the
  // workflow ignores a repeat), where telling it after could be lost and stall the workflow.
  const tellFirst = task.stage !== undefined;
  if (tellFirst) await applyEffects(deps, { ...task, ...state }, effects.filter((e) => e.kind === 'notify-parent'));
  await writeFold(deps, task, changes);
  const observed = observeFold(task, state);
  deps.metrics.observe(task.type, observed);
  deps.stats.record(task.type, task.owner, observed);
  await applyEffects(deps, { ...task, ...state }, tellFirst ? effects.filter((e) => e.kind !== 'notify-parent') : effects);
}
