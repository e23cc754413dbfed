import type { Model } from 'mongoose';
import { isTerminal } from '@taskyard/contracts';
import { InsertBatcher, isDuplicateKey, keysLeft, outcomeDocument, type TaskModels, type TaskOutcomeRecord, type TaskState } from '@taskyard/tasks';
import { FOLD_WRITE_FIELD } from './fold-write-batcher';
import type { FoldTask, WriteExpectation } from './task-writes';

/** What `outcomeOf` answers for a stored end (the task's `foldWrite` after it: an ended task is never remembered). */
export const OUTCOME_WRITE = 'outcome';

/**
 * Whether a fold's write goes to the task's outcome (task-outcome.ts in libs/tasks) instead of the task: its
 * end, unless the task is remembered as this process last wrote it (that write stays conditional on the task
 * still holding it), and any later change of an end stored so (`succeeded` → `expired`).
 */
export function endByOutcome(task: FoldTask, changes: Partial<TaskState>, expect?: WriteExpectation): boolean {
  if (task.outcome) return true;
  if (changes.status === undefined || !isTerminal(changes.status)) return false;
  return !(expect && FOLD_WRITE_FIELD in expect);
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
