import { UNFINISHED_STATUSES, type JobTypeDefinition } from '@taskyard/contracts';
import type { Logger } from '@taskyard/logging';
import type { ConfirmPublisher } from '@taskyard/messaging';
import type { ObjectStore } from '@taskyard/storage';
import { claimOnce, dueOutboxEntries, readTask, relayOutboxEntry, type TaskModels, type TaskRecord } from '@taskyard/tasks';

export interface SweeperDeps {
  models: TaskModels;
  publisher: ConfirmPublisher;
  store: ObjectStore;
  jobTypes: Map<string, JobTypeDefinition>;
  logger: Logger;
  holder: string;
  /** How long past its due time an outbox entry may wait before the sweeper relays it (the gateway's relay usually has). */
  outboxGraceMs?: number;
  /** Told what each sweep put right (for /metrics). */
  onRecovered?: (sweep: string, count: number) => void;
}

const DEADLINE = 15_000;
const BATCH = 32;

/** Outbox entries no gateway relayed (none running): relayed here (relayOutboxEntry). */
export async function sweepOutbox(deps: SweeperDeps, now = Date.now()): Promise<number> {
  const entries = await dueOutboxEntries(deps.models.Outbox, new Date(now - (deps.outboxGraceMs ?? 10_000)), BATCH, DEADLINE);
  let published = 0;
  for (const e of entries) published += await relayOutboxEntry(deps.models, deps.publisher, e, DEADLINE);
  return published;
}

/** Slots still held by a finished (or vanished) task, e.g. when the release after its last event failed. */
export async function sweepStaleSlots(deps: SweeperDeps, now = Date.now()): Promise<number> {
  const slots = await deps.models.Slot.find({ takenAt: { $lt: new Date(now - 60_000) } }).limit(200).lean().maxTimeMS(DEADLINE);
  if (slots.length === 0) return 0;
  // One read by `_id` per slot (FerretDB scans the whole collection for an `$in`).
  const tasks = await Promise.all(
    slots.map((s) => readTask<Pick<TaskRecord, '_id' | 'status'>>(deps.models.Task, s.taskId, { status: 1 }, DEADLINE)),
  );
  const unfinished = new Set(tasks.flatMap((t) => (t && UNFINISHED_STATUSES.includes(t.status) ? [t._id] : [])));
  let freed = 0;
  for (const s of slots) {
    if (unfinished.has(s.taskId)) continue;
    const r = await deps.models.Slot.deleteOne({ _id: s._id, taskId: s.taskId }).maxTimeMS(DEADLINE);
    freed += r.deletedCount;
  }
  return freed;
}

/** Old sweep-round claims: they only matter while their round is current. */
export async function sweepOldLeases(deps: SweeperDeps, now = Date.now()): Promise<number> {
  const r = await deps.models.Lease.deleteMany({ _id: /^sweep:/, at: { $lt: new Date(now - 3600_000) } }).maxTimeMS(DEADLINE);
  return r.deletedCount;
}

export const SWEEPS = {
  outbox: sweepOutbox,
  slots: sweepStaleSlots,
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
        const recovered = await sweep(deps).catch((err: Error) => {
          deps.logger.warn({ sweep: name, err: err.message }, 'sweep failed');
          return 0;
        });
        if (recovered > 0) deps.onRecovered?.(name, recovered);
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
