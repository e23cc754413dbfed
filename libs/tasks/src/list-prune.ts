import type { Model } from 'mongoose';
import { insertUnique } from './task-model';
import { isLeavableTree, isOpenStatus, isSettled, nodeId, openMark, statusPath, statusScopes, secondOf, type ListedFields, type ListMarkRecord } from './list-keys';
import type { TaskRecord } from './task-record';
import { bucketHeld } from './task-outcome';

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
  /** A status whose lists are never left, or a fan-out's child (in no list): nothing to do. */
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
  const held = async (): Promise<boolean> => bucketHeld(Task, ownerBucket, timeoutMs);
  if (await held()) return 'kept';
  await ListMark.deleteOne({ _id: mark._id }).maxTimeMS(timeoutMs).exec();
  if (!(await held())) return 'pruned';
  await insertUnique(ListMark, mark as unknown as { _id: string } & Record<string, unknown>);
  return 'restored';
}

/**
 * Drops the marks a task that left a tree list (`succeeded` → `expired`) leaves behind: its second's mark once
 * no task of that owner and second is in the status, then, level by level up while a node was dropped, each
 * settled node with no children left (the owner's list's and every owner's apart). A walk of the list then
 * skips an expired history instead of reading it. Races a late entry as pruneOpenMark does: a child found
 * after a node's delete puts the node back, and a late entry stores its path's settled marks again, children
 * first (ListMarks.ensureForStatus); nodes not settled yet are left (only late entries reach settled ones).
 */
export async function pruneTreeMarks(Task: Model<TaskRecord>, ListMark: Model<ListMarkRecord>, left: ListedFields, timeoutMs: number, now = Date.now()): Promise<PruneOutcome> {
  const path = statusPath(left);
  if (!path.length || !isLeavableTree(left.status)) return 'none';
  const nowSecond = secondOf(now);
  const ownerBucket = nodeId(statusScopes(left)[0], 0, secondOf(left.createdAt));
  const held = async (): Promise<boolean> => bucketHeld(Task, ownerBucket, timeoutMs);
  const [second] = path[0];
  if (!isSettled(0, second.n, nowSecond) || (await held())) return 'kept';
  await ListMark.deleteOne({ _id: second._id }).maxTimeMS(timeoutMs).exec();
  if (await held()) {
    await insertUnique(ListMark, second as unknown as { _id: string } & Record<string, unknown>);
    return 'restored';
  }
  // Each family's node above: a status family is one list, so its mark's id is the node's id its children name.
  let dropped = path[1].map((_, family) => family);
  for (let level = 1; level < path.length && dropped.length; level++) {
    const next: number[] = [];
    for (const family of dropped) {
      const mark = path[level][family];
      const childless = async (): Promise<boolean> => (await ListMark.exists({ p: mark._id }).maxTimeMS(timeoutMs).exec()) === null;
      if (!isSettled(level, mark.n, nowSecond) || !(await childless())) continue;
      await ListMark.deleteOne({ _id: mark._id }).maxTimeMS(timeoutMs).exec();
      if (await childless()) next.push(family);
      else await insertUnique(ListMark, mark as unknown as { _id: string } & Record<string, unknown>);
    }
    dropped = next;
  }
  return 'pruned';
}

/** The pruning of the marks of a list a task left: an open status's (pruneOpenMark) or a tree's (pruneTreeMarks). */
export function pruneListMarks(Task: Model<TaskRecord>, ListMark: Model<ListMarkRecord>, left: ListedFields, timeoutMs: number): Promise<PruneOutcome> {
  return isOpenStatus(left.status) ? pruneOpenMark(Task, ListMark, left, timeoutMs) : pruneTreeMarks(Task, ListMark, left, timeoutMs);
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

/**
 * A reader's pruning of an open list's marks that no task holds (OpenMarkHealer): a mark whose second is older
 * than this by the reader's clock is past any timer's pruning and any entry that skips storing its mark again.
 */
export const STALE_OPEN_MARK_MS = PRUNE_DELAY_MS;
/** Stale marks queued for a healer's pruning, at most (more are found again by the next pages). */
const HEAL_QUEUE_LIMIT = 256;

/**
 * Prunes the marks of an open list a reader found stale: the second's bucket in the list it read held no task,
 * and the second is older than STALE_OPEN_MARK_MS. The timers' pruning (pruneOpenMark) misses some: a timer lost
 * with its broker's vhost or its process, a mark stored for a task whose insert then failed. Each such mark
 * would cost every first page of that open list a bucket read, and they pile up with the history.
 * Decided as pruneOpenMark decides (delete, then read the owner's bucket again and put the mark back if a task
 * is there); in the background, one mark at a time per process, never on the page's path.
 */
export class OpenMarkHealer {
  private readonly queue = new Map<string, ListMarkRecord>();
  private draining?: Promise<void>;

  constructor(
    private readonly Task: Model<TaskRecord>,
    private readonly ListMark: Model<ListMarkRecord>,
    private readonly timeoutMs: number,
  ) {}

  /** Queues marks found stale (see above); returns at once. */
  request(marks: ListMarkRecord[]): void {
    for (const m of marks) if (this.queue.size < HEAL_QUEUE_LIMIT) this.queue.set(m._id, m);
    this.draining ??= this.drain().finally(() => (this.draining = undefined));
  }

  /** Resolves once every queued mark was looked at (for the tests and an orderly stop). */
  async idle(): Promise<void> {
    while (this.draining) await this.draining;
  }

  private async drain(): Promise<void> {
    for (let next = this.queue.values().next(); !next.done; next = this.queue.values().next()) {
      this.queue.delete(next.value._id);
      await this.heal(next.value).catch(() => undefined); // left: the next page finds it again
    }
  }

  /** The owner's list of the mark (its first scope, openMark's order) decides, as in pruneOpenMark. */
  async heal(mark: ListMarkRecord): Promise<PruneOutcome> {
    const ownerScope = mark._id.slice(0, mark._id.lastIndexOf('@0:')).split('+')[0];
    const held = async (): Promise<boolean> => bucketHeld(this.Task, nodeId(ownerScope, 0, mark.n), this.timeoutMs);
    if (await held()) return 'kept';
    await this.ListMark.deleteOne({ _id: mark._id }).maxTimeMS(this.timeoutMs).exec();
    if (!(await held())) return 'pruned';
    await insertUnique(this.ListMark, { _id: mark._id, p: mark.p, n: mark.n });
    return 'restored';
  }
}
