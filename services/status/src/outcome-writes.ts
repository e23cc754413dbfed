import type { Model } from 'mongoose';
import { isTerminal } from '@taskyard/contracts';
import { InsertBatcher, isDuplicateKey, keysLeft, outcomeDocument, type TaskModels, type TaskOutcomeRecord, type TaskState } from '@taskyard/tasks';
import type { FoldTask } from './task-writes';

/** What `outcomeOf` answers for a stored end (the task's `foldWrite` after it: an ended task is never remembered). */
export const OUTCOME_WRITE = 'outcome';

/**
 * Whether a fold's write goes to the task's outcome (task-outcome.ts in libs/tasks) instead of the task: every
 * end, and any later change of an end stored so (`succeeded` → `expired`). Every end, a remembered task's
 * too (its document checked first: writeFold): were one stored in the task document, a later fold of the
 * same end presumed from its redelivered event (the consumer lost its queue: the remembered tasks dropped)
 * would find no outcome and insert a second terminal state (broker-cluster.test.ts counted a task succeeded
 * twice). The outcome's unique `_id` is what decides the one end, whichever way the task was known.
 */
export function endByOutcome(task: FoldTask, changes: Partial<TaskState>): boolean {
  if (task.outcome) return true;
  return changes.status !== undefined && isTerminal(changes.status);
}

const batchers = new WeakMap<Model<TaskOutcomeRecord>, InsertBatcher>();

/**
 * One batcher per outcomes model: the ends reached in the same turn go as one insert command (up to
 * DEFAULT_INSERT_BATCH, 32: FerretDB never answers a command of about 64), two commands in flight.
 */
function outcomeInserts(Outcome: Model<TaskOutcomeRecord>): InsertBatcher {
  let b = batchers.get(Outcome);
  if (!b) {
    b = new InsertBatcher(() => ({ db: Outcome.db.db!, collection: Outcome.collection.collectionName }), { maxTimeMS: 15_000 });
    batchers.set(Outcome, b);
  }
  return b;
}

type Update = { $set?: Record<string, unknown>; $unset?: Record<string, ''> };

/**
 * Stores a fold's write in the task's outcome: its end as a unique insert (the one terminal state: a second
 * end of the same task finds its `_id` taken, answered undefined: not written), or a change of an end already
 * stored so, by `_id` (the status service is the task's one writer; only `succeeded` → `expired` comes here).
 */
export async function outcomeOf(models: Pick<TaskModels, 'Outcome'>, task: FoldTask, update: Update): Promise<string | undefined> {
  if (task.outcome) {
    const lk = update.$set?.lk as string[] | undefined;
    // A field removed is named in `u` too: it may be the task document's, which the end never writes.
    const removed = Object.keys(update.$unset ?? {});
    const u = removed.length ? { u: [...new Set([...(task.outcome.u ?? []), ...removed])] } : {};
    const $set = { ...update.$set, ...(lk ? { lk: [...lk, ...keysLeft(task.outcome)] } : {}), ...u };
    const res = await models.Outcome.collection.updateOne({ _id: task._id } as never, { $set, ...(update.$unset ? { $unset: update.$unset } : {}) }, { maxTimeMS: 15_000 });
    return res.matchedCount === 1 ? OUTCOME_WRITE : undefined;
  }
  try {
    await outcomeInserts(models.Outcome).insert(outcomeDocument(task, update));
    return OUTCOME_WRITE;
  } catch (err) {
    if (isDuplicateKey(err)) return undefined;
    throw err;
  }
}
