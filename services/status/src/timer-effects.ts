import { backoffFor, type JobTypeDefinition } from '@taskyard/contracts';
import { publishEvent, publishRetry, publishTimer } from '@taskyard/messaging';
import { PRUNE_DELAY_MS, pruneListMarks, readTask, taskMessageOf, type PendingPrunes, type TaskRecord, type TimerDecision } from '@taskyard/tasks';
import type { EffectDeps } from './fold-effects';
import type { FoldTask } from './task-writes';

export interface TimerDeps extends EffectDeps {
  /** The prune timers armed and not yet fired (one per open-list mark at a time). */
  prunes: PendingPrunes;
}

/**
 * Carries out the timer decisions of a folded batch (task-timers.ts) before its write: arming twice is
 * harmless (a check of a run that is no longer current decides nothing), and a failure requeues the batch
 * rather than leave a running task without its check.
 */
export async function applyTimers(deps: TimerDeps, def: JobTypeDefinition, task: FoldTask, decisions: TimerDecision[]): Promise<void> {
  for (const d of decisions) {
    switch (d.kind) {
      case 'arm-heartbeat':
        await publishTimer(deps.publisher, { kind: 'heartbeat-check', taskId: task._id, type: task.type, runId: d.runId }, def.limits.heartbeatWindowMs);
        break;
      case 'arm-retention':
        await publishTimer(deps.publisher, { kind: 'retention-due', taskId: task._id, type: task.type }, def.limits.retentionMs);
        break;
      case 'heartbeat-lost':
        await recoverLostRun(deps, def, task, d.runId, d.final);
        break;
      case 'arm-list-prune':
        // One timer per mark at a time: the tasks of a second that leave before it fires are all covered by it.
        if (deps.prunes.claim(task, d.status)) await publishTimer(deps.publisher, { kind: 'list-prune', taskId: task._id, type: task.type, status: d.status }, PRUNE_DELAY_MS);
        break;
      case 'prune-list': {
        const left = { owner: task.owner, type: task.type, tag: task.tag, status: d.status, createdAt: task.createdAt, parentId: task.parentId };
        deps.metrics.listPrunes.inc({ outcome: await pruneListMarks(deps.models.Task, deps.models.ListMark, left, 15_000) });
        break;
      }
      case 'expire-artifacts':
        // Artifacts given as URLs by an external processor are not ours to delete.
        await deps.store.deleteKeys(task.artifacts.filter((a) => !a.url && a.key).map((a) => a.key));
        await publishEvent(deps.publisher, { kind: 'artifacts-expired', taskId: task._id, type: task.type });
        break;
    }
  }
}

/** The next attempt goes to its back-off queue (unless that was the last), then `heartbeat-lost` folds the task. */
async function recoverLostRun(deps: EffectDeps, def: JobTypeDefinition, task: FoldTask, runId: string, final: boolean): Promise<void> {
  const delay = backoffFor(def.limits, task.attempt);
  if (!final) {
    // The message needs the task's params, which the fold does not read: one read by `_id`, only on this rare path.
    const full = await readTask<TaskRecord>(deps.models.Task, task._id, {}, 15_000);
    // Marked to be claimed: a redelivered timer batch publishes this attempt's message again.
    if (full) await publishRetry(deps.publisher, taskMessageOf(full, task.attempt + 1), delay, { claimRun: true });
  }
  await publishEvent(deps.publisher, {
    kind: 'heartbeat-lost',
    taskId: task._id,
    type: task.type,
    runId,
    final,
    ...(final ? {} : { retryAt: new Date(Date.now() + delay).toISOString() }),
  });
  deps.metrics.sweeperRecoveries.inc({ sweep: 'heartbeat' });
  deps.logger.warn({ taskId: task._id, runId, final }, 'recovered a running task whose heartbeat stopped');
}
