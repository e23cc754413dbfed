import { randomUUID } from 'node:crypto';
import type { CallbackBody, TaskEvent, TaskStatus } from '@taskyard/contracts';
import type { Logger } from '@taskyard/logging';
import type { ObjectStore } from '@taskyard/storage';
import { publishEvent, type ConfirmPublisher } from '@taskyard/messaging';
import { releaseSlot, type FoldEffect, type TaskModels } from '@taskyard/tasks';
import { CallbackDelivery } from './callback-delivery';
import type { FoldTask } from './task-writes';
import type { StatusMetrics } from './status-metrics';

export interface EffectDeps {
  models: TaskModels;
  publisher: ConfirmPublisher;
  logger: Logger;
  metrics: StatusMetrics;
  store: ObjectStore;
}

export interface EffectOptions {
  /** Applied again (the event that ended the task was redelivered): nothing is counted twice. */
  repeat?: boolean;
}

/**
 * Effects whose failure requeues the batch: nothing else would ever do them (a lost parent notice stalls
 * the parent, a lost callback is never sent). The redelivered event finds the task finished and applies
 * its finish effects again (event-folder.ts), each safe to repeat.
 */
const REDONE_ON_FAILURE: ReadonlySet<FoldEffect['kind']> = new Set(['terminal', 'notify-parent']);

/**
 * Carries out what a written fold asks for. Each is safe to repeat; a stale slot is
 * picked up by a sweeper, so such a failure is logged; the others fail the batch (REDONE_ON_FAILURE).
 */
export async function applyEffects(deps: EffectDeps, task: FoldTask, effects: FoldEffect[], opts: EffectOptions = {}): Promise<void> {
  let failure: unknown;
  for (const effect of effects) {
    try {
      await applyEffect(deps, task, effect, opts);
    } catch (err) {
      const redone = REDONE_ON_FAILURE.has(effect.kind);
      deps.logger.warn({ taskId: task._id, effect: effect.kind, err: (err as Error).message }, redone ? 'effect failed; its event is requeued' : 'effect failed; a sweeper will retry it');
      if (redone) failure ??= err;
    }
  }
  if (failure) throw failure;
}

async function applyEffect(deps: EffectDeps, task: FoldTask, effect: FoldEffect, opts: EffectOptions): Promise<void> {
  switch (effect.kind) {
    case 'release-slot':
      await releaseSlot(deps.models.Slot, effect.slotId, task._id);
      return;
    case 'notify-parent':
      await publishEvent(deps.publisher, {
        kind: 'child-finished',
        taskId: effect.parentId,
        type: task.type,
        childId: task._id,
        childStatus: task.status as 'succeeded' | 'failed' | 'cancelled',
        artifacts: task.artifacts,
        ...(task.error ? { error: task.error } : {}),
        ...(task.stage ? { stage: task.stage, ...(task.result ? { result: task.result } : {}) } : {}),
      });
      return;
    case 'terminal':
      if (!opts.repeat) deps.metrics.finished.inc({ type: task.type, status: effect.status });
      if (task.workflow) await announceWorkflowEnd(deps, task, effect.status);
      await deleteUpload(deps, task).catch((err: unknown) =>
        deps.logger.warn({ taskId: task._id, err: (err as Error).message }, 'upload not deleted; left in the bucket'),
      );
      if (task.callbackUrl) await queueCallback(deps, task);
      return;
  }
}

/**
 * A task that ran a workflow ended by its workflow's fold, which only the status service runs: the end is
 * published (after the write) so event streams, which fold a task's events themselves, see it too. Folded
 * again here it changes nothing (the task is already terminal).
 */
async function announceWorkflowEnd(deps: EffectDeps, task: FoldTask, status: TaskStatus): Promise<void> {
  if (status !== 'succeeded' && status !== 'failed' && status !== 'cancelled') return;
  await publishEvent(deps.publisher, { kind: 'workflow-ended', taskId: task._id, type: task.type, status, ...(task.error ? { error: task.error } : {}) });
}

/**
 * A finished task's upload is deleted whatever ended it: a task cancelled while queued, expired in its
 * queue or dead-lettered before a start never runs the worker that would otherwise delete it. Only a key
 * under the task's own `uploads/<id>/` is touched: params are the client's, and a key elsewhere is not ours.
 */
async function deleteUpload(deps: EffectDeps, task: FoldTask): Promise<void> {
  const key = task.params?.uploadKey;
  if (typeof key === 'string' && key.startsWith(`uploads/${task._id}/`)) await deps.store.deleteKeys([key]);
}

/**
 * Queues the terminal status's callback: the POST is made by the callback delivery, off the fold's path,
 * so a slow receiver delays neither this task's slot nor any other task's status.
 */
async function queueCallback(deps: EffectDeps, task: FoldTask): Promise<void> {
  const body: CallbackBody = {
    id: task._id,
    type: task.type,
    status: task.status,
    ...(task.error ? { error: { code: task.error.code, message: task.error.message } } : {}),
    ...(task.finishedAt ? { finishedAt: new Date(task.finishedAt).toISOString() } : {}),
  };
  // A fresh claim per queuing: the delivery starts for the first claim only (a repeat's claim finds it taken).
  await CallbackDelivery.enqueue(deps.publisher, { taskId: task._id, url: task.callbackUrl!, body: JSON.stringify(body), attempt: 1, claim: randomUUID() });
}

export type { TaskEvent };
