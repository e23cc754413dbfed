import {
  fanOutChildId,
  fanOutChildParams,
  stageParams,
  stageTaskId,
  type ArtifactRef,
  type FanOutStage,
  type JobTypeDefinition,
  type StageRef,
  type TaskStage,
  type WorkflowStage,
} from '@taskyard/contracts';
import type { Logger } from '@taskyard/logging';
import { dispatchTask, publishEvent, type ConfirmPublisher } from '@taskyard/messaging';
import { dispatchOrOutbox, firstMessageOf, isDuplicateKey, readTask, withoutUndefined, type NewTask, type Outbox, type OutboxTicket, type TaskModels, type TaskRecord } from '@taskyard/tasks';
import { readStageOutputs, type WorkflowModels } from './stage-outputs';
import type { WorkflowEffect } from './workflow-fold';

export interface LaunchDeps {
  models: TaskModels;
  workflowModels: WorkflowModels;
  publisher: ConfirmPublisher;
  jobTypes: Map<string, JobTypeDefinition>;
  logger: Logger;
  /** Written before the stage tasks are inserted: a process killed before the broker's confirm leaves them to a relay. */
  outbox: Outbox;
}

/** The parent's fields its stage tasks inherit. */
export interface WorkflowParent {
  _id: string;
  owner: string;
  tag?: string;
  title: string;
}

/** Inserts and publishes at most this many children at once: the next batch waits for the broker's confirms. */
export const LAUNCH_BATCH = 32;

class UnknownStageType extends Error {}

function stageTask(parent: WorkflowParent, stage: Pick<WorkflowStage, 'type' | 'title' | 'name'>, id: string, params: Record<string, unknown>, ref: StageRef, deps: LaunchDeps, now: Date, title?: string): NewTask {
  const def = deps.jobTypes.get(stage.type);
  if (!def) throw new UnknownStageType(`job type "${stage.type}" of stage "${stage.name}" is not enabled here`);
  // No list keys and no slot: a stage shows under its workflow, which holds the owner's place.
  return withoutUndefined({
    _id: id,
    type: def.type,
    title: title ?? (ref.item === undefined ? `${parent.title}: ${stage.title ?? stage.name}` : `${parent.title}: ${stage.title ?? stage.name} #${ref.item + 1}`),
    owner: parent.owner,
    tag: parent.tag,
    params,
    status: 'queued',
    progress: 0,
    attempt: 0,
    maxAttempts: def.limits.maxAttempts,
    artifacts: [],
    logs: [],
    parentId: parent._id,
    createdAt: now,
    queuedAt: now,
    stage: ref,
  }) as NewTask;
}

/** Publishes a stage task that already existed, if it still waits: the run that inserted it may have stopped before publishing. */
async function republishIfWaiting(deps: LaunchDeps, id: string): Promise<void> {
  const t = await readTask<TaskRecord>(deps.models.Task, id, {}, 10_000);
  if (t && t.status === 'queued') await dispatchTask(deps.publisher, firstMessageOf(t), { republished: true });
}

/** Publishes what this run inserted (the outbox keeps what the broker does not confirm) and republishes what an earlier run had. */
async function dispatch(deps: LaunchDeps, ticket: OutboxTicket, inserted: NewTask[], existed: NewTask[]): Promise<void> {
  await ticket.settle(existed.map((t) => t._id));
  await Promise.all([dispatchOrOutbox(deps.outbox, ticket, deps.publisher, inserted, deps.logger), ...existed.map((t) => republishIfWaiting(deps, t._id))]);
}

/** One stage task: its deterministic id's insert decides whether this call starts it. */
async function launchOne(deps: LaunchDeps, task: NewTask): Promise<void> {
  const ticket = await deps.outbox.enter([task._id]);
  try {
    await deps.models.Task.collection.insertOne(task as never);
  } catch (err) {
    if (!isDuplicateKey(err)) throw err;
    return dispatch(deps, ticket, [], [task]);
  }
  await dispatch(deps, ticket, [task], []);
}

/** The indexes of a batch's documents that were duplicates (already inserted by an earlier run). */
function duplicateIndexes(err: unknown): Set<number> | undefined {
  const writeErrors = (err as { writeErrors?: { index: number; code: number } | { index: number; code: number }[] }).writeErrors;
  if (!writeErrors) return undefined;
  const list = Array.isArray(writeErrors) ? writeErrors : [writeErrors];
  if (list.some((e) => e.code !== 11000)) return undefined;
  return new Set(list.map((e) => e.index));
}

/**
 * One child per item, LAUNCH_BATCH at a time: a batch is inserted, then published and confirmed, before the
 * next batch is built, so at most one batch of children is held in memory and the broker sets the pace.
 */
async function launchFanOut(deps: LaunchDeps, parent: WorkflowParent, stage: FanOutStage, received: Record<string, unknown>, skip: number[] = []): Promise<void> {
  const items = received[stage.items] as unknown[];
  const skipped = new Set(skip);
  // Item numbers to run (1-based): all but those a retry kept.
  const numbers = items.map((_, i) => i + 1).filter((n) => !skipped.has(n - 1));
  const titles = stage.itemTitles ? received[stage.itemTitles] : undefined;
  const titleOf = (i: number): string | undefined => {
    const title: unknown = Array.isArray(titles) ? titles[i] : undefined;
    return typeof title === 'string' ? title.slice(0, 200) : undefined;
  };
  for (let from = 0; from < numbers.length; from += LAUNCH_BATCH) {
    const now = new Date();
    const batch = numbers.slice(from, from + LAUNCH_BATCH).map((n) => {
      const item = items[n - 1];
      const ref: StageRef = { workflowId: parent._id, stage: stage.name, kind: 'fan-out', item: n - 1 };
      return stageTask(parent, stage, fanOutChildId(parent._id, stage.name, n), fanOutChildParams(stage, received, item), ref, deps, now, titleOf(n - 1));
    });
    const ticket = await deps.outbox.enter(batch.map((t) => t._id));
    let duplicates = new Set<number>();
    try {
      await deps.models.Task.collection.insertMany(batch as never[], { ordered: false });
    } catch (err) {
      const dup = duplicateIndexes(err);
      if (!dup) throw err;
      duplicates = dup;
    }
    await dispatch(deps, ticket, batch.filter((_, i) => !duplicates.has(i)), batch.filter((_, i) => duplicates.has(i)));
  }
}

/** Asks every unfinished task of these stages to stop (their own folds ignore it once finished). */
async function cancelStages(deps: LaunchDeps, workflowId: string, stages: Extract<WorkflowEffect, { kind: 'cancel-stages' }>['stages']): Promise<void> {
  const requestedBy = `workflow:${workflowId}`;
  for (const s of stages) {
    const ids = s.kind === 'fan-out' ? Array.from({ length: s.total ?? 0 }, (_, i) => fanOutChildId(workflowId, s.name, i + 1)) : [s.taskId];
    for (let i = 0; i < ids.length; i += LAUNCH_BATCH) {
      await Promise.all(ids.slice(i, i + LAUNCH_BATCH).map((taskId) => publishEvent(deps.publisher, { kind: 'cancel-requested', taskId, type: s.type, requestedBy })));
    }
  }
}

/** The previous stage's name, for a fan-in's `resultsOf`. */
function stageBefore(stages: WorkflowStage[], index: number): string | undefined {
  return index > 0 ? stages[index - 1].name : undefined;
}

/**
 * Carries out a workflow fold's effects. Every one is safe to repeat (deterministic ids, duplicate inserts
 * ignored, waiting tasks republished), which is what lets the status service run them before it writes the
 * parent. Returns the artifacts a finished fan-out leaves the workflow, when one asked for them.
 */
export async function runWorkflowEffects(
  deps: LaunchDeps,
  parent: WorkflowParent & { stages: WorkflowStage[]; onFailure?: TaskStage },
  effects: WorkflowEffect[],
): Promise<{ artifacts?: ArtifactRef[] }> {
  const out: { artifacts?: ArtifactRef[] } = {};
  for (const effect of effects) {
    switch (effect.kind) {
      case 'start-stage': {
        const s = effect.stage;
        if (s.kind === 'fan-out') {
          await launchFanOut(deps, parent, s, effect.received, effect.skip);
          break;
        }
        const ref: StageRef = { workflowId: parent._id, stage: s.name, kind: s.kind ?? 'task', ...(s.kind === 'fan-in' ? { resultsOf: stageBefore(parent.stages, effect.index) } : {}) };
        await launchOne(deps, stageTask(parent, s, stageTaskId(parent._id, s.name), stageParams(s, effect.received), ref, deps, new Date()));
        break;
      }
      case 'start-on-failure': {
        const s = parent.onFailure!;
        const ref: StageRef = { workflowId: parent._id, stage: s.name, kind: 'on-failure', failure: effect.failure };
        await launchOne(deps, stageTask(parent, s, stageTaskId(parent._id, s.name), stageParams(s, effect.received), ref, deps, new Date()));
        break;
      }
      case 'cancel-stages':
        await cancelStages(deps, parent._id, effect.stages);
        break;
      case 'collect-artifacts': {
        const artifacts: ArtifactRef[] = [];
        for await (const o of readStageOutputs(deps.workflowModels, parent._id, effect.stage)) artifacts.push(...o.artifacts);
        out.artifacts = artifacts;
        break;
      }
    }
  }
  return out;
}
