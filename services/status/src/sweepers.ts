import { UNFINISHED_STATUSES, backoffFor, type JobTypeDefinition } from '@taskyard/contracts';
import type { Logger } from '@taskyard/logging';
import { dispatchTask, publishEvent, publishRetry, type ConfirmPublisher } from '@taskyard/messaging';
import type { ObjectStore } from '@taskyard/storage';
import { claimOnce, taskMessageOf, type TaskModels, type TaskRecord } from '@taskyard/tasks';

export interface SweeperDeps {
  models: TaskModels;
  publisher: ConfirmPublisher;
  store: ObjectStore;
  jobTypes: Map<string, JobTypeDefinition>;
  logger: Logger;
  holder: string;
  /** How long an outbox entry may wait before the sweeper republishes it (the gateway's relay usually has). */
  outboxGraceMs?: number;
}

const DEADLINE = 15_000;
const BATCH = 32;

/**
 * Running tasks whose heartbeat stopped: the attempt counts as failed. The sweeper changes no task
 * itself: it sends `heartbeat-lost` to the status partition (the task's one writer) and schedules the
 * next attempt, or dead-letters it.
 */
export async function sweepLostHeartbeats(deps: SweeperDeps, now = Date.now()): Promise<number> {
  let recovered = 0;
  for (const def of deps.jobTypes.values()) {
    const stale = (await deps.models.Task.find({
      type: def.type,
      status: 'running',
      children: { $exists: false },
      heartbeatAt: { $lt: new Date(now - def.limits.heartbeatWindowMs) },
    })
      .limit(BATCH)
      .lean()
      .maxTimeMS(DEADLINE)) as TaskRecord[];
    for (const t of stale) {
      const final = t.attempt >= t.maxAttempts;
      const delay = backoffFor(def.limits, t.attempt);
      if (!final) await publishRetry(deps.publisher, taskMessageOf(t, t.attempt + 1), delay);
      await publishEvent(deps.publisher, {
        kind: 'heartbeat-lost',
        taskId: t._id,
        type: t.type,
        runId: t.runId ?? '',
        final,
        ...(final ? {} : { retryAt: new Date(now + delay).toISOString() }),
      });
      recovered += 1;
    }
  }
  if (recovered) deps.logger.warn({ recovered }, 'recovered running tasks whose heartbeat stopped');
  return recovered;
}

/** Outbox entries the gateway stored but could not get confirmed: publish them, then delete the entry. */
export async function sweepOutbox(deps: SweeperDeps, now = Date.now()): Promise<number> {
  const entries = await deps.models.Outbox.find({ createdAt: { $lt: new Date(now - (deps.outboxGraceMs ?? 10_000)) } })
    .limit(BATCH)
    .lean()
    .maxTimeMS(DEADLINE);
  let published = 0;
  for (const e of entries) {
    const t = (await deps.models.Task.findById(e._id).lean().maxTimeMS(DEADLINE)) as TaskRecord | null;
    if (t && (t.status === 'queued' || t.status === 'scheduled')) {
      await dispatchTask(deps.publisher, taskMessageOf(t, 1), { republished: true });
      published += 1;
    }
    await deps.models.Outbox.deleteOne({ _id: e._id }).maxTimeMS(DEADLINE);
  }
  return published;
}

/** Slots still held by a finished (or vanished) task, e.g. when the release after its last event failed. */
export async function sweepStaleSlots(deps: SweeperDeps, now = Date.now()): Promise<number> {
  const slots = await deps.models.Slot.find({ takenAt: { $lt: new Date(now - 60_000) } }).limit(200).lean().maxTimeMS(DEADLINE);
  if (slots.length === 0) return 0;
  const tasks = await deps.models.Task.find({ _id: { $in: slots.map((s) => s.taskId) } }, { status: 1 }).lean().maxTimeMS(DEADLINE);
  const unfinished = new Set(tasks.filter((t) => UNFINISHED_STATUSES.includes(t.status)).map((t) => t._id));
  let freed = 0;
  for (const s of slots) {
    if (unfinished.has(s.taskId)) continue;
    const r = await deps.models.Slot.deleteOne({ _id: s._id, taskId: s.taskId }).maxTimeMS(DEADLINE);
    freed += r.deletedCount;
  }
  return freed;
}

/** Artifacts past their type's retention: delete them from S3, then mark the task `expired` (via its writer). */
export async function sweepExpiredArtifacts(deps: SweeperDeps, now = Date.now()): Promise<number> {
  const due = (await deps.models.Task.find({ status: 'succeeded', expiresAt: { $lt: new Date(now) } }, { _id: 1, type: 1, artifacts: 1 })
    .limit(BATCH)
    .lean()
    .maxTimeMS(DEADLINE)) as Pick<TaskRecord, '_id' | 'type' | 'artifacts'>[];
  for (const t of due) {
    // Artifacts given as URLs by an external processor are not ours to delete.
    await deps.store.deleteKeys(t.artifacts.filter((a) => !a.url && a.key).map((a) => a.key));
    await publishEvent(deps.publisher, { kind: 'artifacts-expired', taskId: t._id, type: t.type });
  }
  return due.length;
}

/** Old sweep-round claims: they only matter while their round is current. */
export async function sweepOldLeases(deps: SweeperDeps, now = Date.now()): Promise<number> {
  const r = await deps.models.Lease.deleteMany({ _id: /^sweep:/, at: { $lt: new Date(now - 3600_000) } }).maxTimeMS(DEADLINE);
  return r.deletedCount;
}

export const SWEEPS = {
  heartbeat: sweepLostHeartbeats,
  outbox: sweepOutbox,
  slots: sweepStaleSlots,
  retention: sweepExpiredArtifacts,
  leases: sweepOldLeases,
} as const;

/**
 * Runs every sweep each `intervalMs`. With several status replicas, each round of each sweep is claimed
 * by a unique insert (`sweep:<name>:<round>`), so exactly one replica acts on it.
 */
export function startSweepers(deps: SweeperDeps, intervalMs: number): () => void {
  let busy = false;
  const tick = async (): Promise<void> => {
    if (busy) return;
    busy = true;
    const round = Math.floor(Date.now() / intervalMs);
    try {
      for (const [name, sweep] of Object.entries(SWEEPS)) {
        if (!(await claimOnce(deps.models.Lease, `sweep:${name}:${round}`, deps.holder))) continue;
        await sweep(deps).catch((err: Error) => deps.logger.warn({ sweep: name, err: err.message }, 'sweep failed'));
      }
    } catch (err) {
      deps.logger.warn({ err: (err as Error).message }, 'sweep round failed');
    } finally {
      busy = false;
    }
  };
  const timer = setInterval(() => void tick(), intervalMs);
  return () => clearInterval(timer);
}
