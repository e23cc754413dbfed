import type { Model } from 'mongoose';
import { insertUnique } from './task-model';
import { isOpenStatus, nodeId, openMark, statusScopes, secondOf, type ListedFields, type ListMarkRecord } from './list-keys';
import type { TaskRecord } from './task-record';

/**
 * How long after a task left an open status its second's mark in that status's lists is looked at (a
 * broker timer, so nothing scans). Longer than LATE_ENTRY_MS plus any write's deadline: see list-marks.ts.
 */
export const PRUNE_DELAY_MS = 180_000;

/** What a pruning decided, for the metrics and the tests. */
export type PruneOutcome =
  /** Another of the owner's tasks of that second is still in the status: the mark stays. */
  | 'kept'
  /** None is: the mark is gone (a walk of the open list no longer visits that second). */
  | 'pruned'
  /** A task entered while the mark was being deleted: it was put back. */
  | 'restored'
  /** Not an open status, or a fan-out's child (in no list): nothing to do. */
  | 'none';

/**
 * Drops the mark of a task's second in the owner's and every owner's list of an open status it left, once
 * no task of that owner and second is in that status any more. Races an entry into the same status by
 * reading again after the delete: an entry written before that read is seen and the mark put back; one
 * written after it stores the mark itself (a late entry does, LATE_ENTRY_MS; an early one never meets a
 * pruning, which waits PRUNE_DELAY_MS). Every read is an equality on an indexed field.
 */
export async function pruneOpenMark(Task: Model<TaskRecord>, ListMark: Model<ListMarkRecord>, left: ListedFields, timeoutMs: number): Promise<PruneOutcome> {
  const mark = openMark(left);
  if (!mark || !isOpenStatus(left.status)) return 'none';
  const ownerBucket = nodeId(statusScopes(left)[0], 0, secondOf(left.createdAt));
  const held = async (): Promise<boolean> => (await Task.exists({ lk: ownerBucket }).maxTimeMS(timeoutMs).exec()) !== null;
  if (await held()) return 'kept';
  await ListMark.deleteOne({ _id: mark._id }).maxTimeMS(timeoutMs).exec();
  if (!(await held())) return 'pruned';
  await insertUnique(ListMark, mark as unknown as { _id: string } & Record<string, unknown>);
  return 'restored';
}

/** Pending prune timers remembered up to this many (then forgotten at once: a second timer only repeats a look). */
const PENDING_LIMIT = 100_000;

/**
 * The prune timers this process has armed and that have not fired yet, by mark: a task leaving the same
 * second's open list before that timer fires needs none of its own (the timer looks after its departure).
 */
export class PendingPrunes {
  private readonly armed = new Map<string, number>();

  /** True (and remembered) when no timer for this mark is pending: the caller arms one. */
  claim(task: Omit<ListedFields, 'status'>, status: ListedFields['status'], now = Date.now()): boolean {
    const mark = openMark({ ...task, status });
    if (!mark) return false;
    const at = this.armed.get(mark._id);
    if (at !== undefined && now - at < PRUNE_DELAY_MS) return false;
    if (this.armed.size >= PENDING_LIMIT) this.armed.clear();
    this.armed.set(mark._id, now);
    return true;
  }
}
