import { isTerminal } from '@taskyard/contracts';
import { rebuildListHeads } from './list-heads-rebuild';
import { isTreeScope, listKeys, listScopes, type ListedFields } from './list-keys';
import { ListMarks } from './list-marks';
import type { TaskModels } from './task-model';
import type { TaskRecord } from './task-record';

/** The backfill's settings, River-style: named defaults, a batch limit and a deadline on every write. */
export interface ListKeysBackfillConfig {
  /** Tasks read per cursor batch, and updated (one by one, `lanes` at a time) before the next is read. */
  batchSize: number;
  lanes: number;
  /** Deadline of each write. */
  writeTimeoutMs: number;
  /** Called after each batch with the totals so far. */
  onBatch?: (totals: ListKeysBackfillTotals) => void;
}

export const BACKFILL_BATCH_SIZE = 500;
export const BACKFILL_LANES = 8;
export const BACKFILL_WRITE_TIMEOUT_MS = 15_000;

/** What the backfill decided for a task without list keys. */
export type BackfillDecision =
  /** Finished: no other writer will touch its keys, so the backfill writes them (and their marks first). */
  | 'write'
  /** Unfinished: its one writer, the status service, writes its keys at its next status change. */
  | 'leave-to-status-service';

export interface ListKeysBackfillTotals {
  scanned: number;
  written: number;
  leftToStatusService: number;
}

export const backfillDecision = (t: Pick<TaskRecord, 'status'>): BackfillDecision => (isTerminal(t.status) ? 'write' : 'leave-to-status-service');

type Legacy = Pick<TaskRecord, '_id' | 'owner' | 'type' | 'status' | 'tag' | 'createdAt' | 'parentId'>;

/**
 * Gives the tasks stored before list keys existed their `lk` (and the list marks it needs), so they show in
 * `GET /v1/tasks`. A one-off migration, run as a command (`pnpm --filter @taskyard/status backfill-list-keys`):
 * it reads the tasks lacking `lk` in one pass (the only read of the whole collection, which is why it is a
 * command and never periodic), in batches; it is idempotent and resumable (a task that has its keys is not
 * read as lacking them again), and writes only finished tasks (see BackfillDecision). Their lists' heads
 * are rebuilt at the end (list-heads.ts: a history stored in bulk writes none of its own).
 */
export async function backfillListKeys(models: TaskModels, cfg: Partial<ListKeysBackfillConfig> = {}): Promise<ListKeysBackfillTotals> {
  const { batchSize = BACKFILL_BATCH_SIZE, lanes = BACKFILL_LANES, writeTimeoutMs = BACKFILL_WRITE_TIMEOUT_MS, onBatch } = cfg;
  const marks = new ListMarks(models.ListMark, writeTimeoutMs);
  const totals: ListKeysBackfillTotals = { scanned: 0, written: 0, leftToStatusService: 0 };
  const scopes = new Set<string>();
  const cursor = models.Task.collection.find({ lk: { $exists: false } } as never, {
    projection: { _id: 1, owner: 1, type: 1, status: 1, tag: 1, createdAt: 1, parentId: 1 },
    batchSize,
  });
  let batch: Legacy[] = [];
  const flush = async (): Promise<void> => {
    const finished = batch.filter((t) => backfillDecision(t) === 'write');
    totals.scanned += batch.length;
    totals.leftToStatusService += batch.length - finished.length;
    await marks.ensureAll(finished as ListedFields[], { heads: false });
    for (const t of finished) for (const scope of listScopes(t)) if (isTreeScope(scope)) scopes.add(scope);
    let next = 0;
    await Promise.all(
      Array.from({ length: Math.min(lanes, finished.length) }, async () => {
        while (next < finished.length) {
          const t = finished[next++];
          // Still without keys: a rerun, or the status service writing the task meanwhile, is not overwritten.
          const res = await models.Task.collection.updateOne({ _id: t._id, lk: { $exists: false } } as never, { $set: { lk: listKeys(t as ListedFields) } }, { maxTimeMS: writeTimeoutMs });
          totals.written += res.modifiedCount;
        }
      }),
    );
    batch = [];
    onBatch?.({ ...totals });
  };
  for await (const doc of cursor) {
    batch.push(doc as unknown as Legacy);
    if (batch.length >= batchSize) await flush();
  }
  if (batch.length) await flush();
  await rebuildListHeads(models, [...scopes], writeTimeoutMs);
  return totals;
}
