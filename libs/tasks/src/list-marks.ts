import type { Model } from 'mongoose';
import { DEFAULT_HEAD_PRUNE, HeadPruner, insertMarks } from './list-heads';
import { LATE_ENTRY_SECONDS, isLeavableTree, isOpenStatus, isSettled, openMark, secondOf, statusMarks, statusPath, submitMarks, type ListedFields, type ListMarkRecord } from './list-keys';

/**
 * A status change this long after the task's second is a late entry into an open list: its mark is stored
 * again after the write. The pruning of a second waits longer (PRUNE_DELAY_MS after a task left it), so an
 * entry that skipped the insert (a cached mark) can never meet the pruning of its mark.
 */
export const LATE_ENTRY_MS = 60_000;

/**
 * A writer treats a node as possibly pruned (list-prune.ts prunes settled nodes only) this much earlier than a
 * pruner would: the time a mark insert may take to commit and a clock skew between processes.
 */
const PRUNE_SKEW_SECONDS = 40;

/** Marks known to be stored, remembered up to this many (then forgotten at once: a re-insert is only a refused duplicate). */
export const MARK_CACHE_LIMIT = 200_000;
/** Submit shapes (second, owner, type, tag, status, parent) whose marks are all known, remembered up to this many. */
export const SHAPE_CACHE_LIMIT = 10_000;

/** What a new task's marks depend on, when it enters its lists on time (no journal mark): the same shape, the same marks. */
const shapeOf = (f: ListedFields, second: number): string => `${second}\u0000${f.owner}\u0000${f.type}\u0000${f.tag ?? ''}\u0000${f.status}\u0000${f.parentId ?? ''}`;

/**
 * Stores the marks a task's list keys need before the task (or its new status) is written, so a list
 * walk never misses it. Each mark is inserted once per process (a duplicate from another process is
 * fine: the `_id` decides), so under load a second's marks cost one insert per list, not per task.
 */
export class ListMarks {
  private readonly known = new Set<string>();
  /**
   * Shapes of tasks (shapeOf) whose marks are all in `known`: under load most submits of a second share one
   * (an owner, a type), and finding that costs a lookup instead of building each of their ~20 marks' ids.
   */
  private readonly knownShapes = new Set<string>();
  /** Marks being inserted now, by id, with the insert that carries them. */
  private readonly inserting = new Map<string, Promise<void>>();
  /** Keeps the heads this process writes to bounded (list-heads.ts). */
  private readonly heads: HeadPruner;

  constructor(
    private readonly ListMark: Model<ListMarkRecord>,
    private readonly timeoutMs = 10_000,
  ) {
    this.heads = new HeadPruner(ListMark, { ...DEFAULT_HEAD_PRUNE, timeoutMs });
  }

  /** Settles once the prunes of the heads this writer asked for so far are done (list-heads.ts). */
  headsPruned(): Promise<void> {
    return this.heads.idle();
  }

  /** Ensures the marks of every list a task with these fields is in (journalled if late, list-keys.ts). */
  ensureFor(f: ListedFields, now = Date.now()): Promise<void> {
    const second = secondOf(f.createdAt);
    const nowSecond = secondOf(now);
    if (nowSecond - second > LATE_ENTRY_SECONDS) return this.store(submitMarks(f, nowSecond));
    const shape = shapeOf(f, second);
    if (this.knownShapes.has(shape)) return Promise.resolve();
    const marks = submitMarks(f, nowSecond);
    return this.store(marks).then(() => {
      // Only when every mark is still known (the cache may have been emptied while these were stored).
      if (!marks.every((m) => this.known.has(m._id))) return;
      if (this.knownShapes.size >= SHAPE_CACHE_LIMIT) this.knownShapes.clear();
      this.knownShapes.add(shape);
    });
  }

  /** Ensures the marks of the lists a task enters with a new status (the others it is in already; journalled if late). */
  ensureForStatus(f: ListedFields, now = Date.now()): Promise<void> {
    const nowSecond = secondOf(now);
    if (isLeavableTree(f.status) && nowSecond - secondOf(f.createdAt) > LATE_ENTRY_SECONDS) return this.restorePath(f, nowSecond);
    return this.store(statusMarks(f, nowSecond));
  }

  /**
   * A late entry into a list whose settled nodes are pruned when their tasks leave (list-prune.ts): a mark
   * this process stored may be gone since, so those of settled nodes are inserted again past the cache, the
   * second's first and each level after the one below it (a pruning re-reads a node's children after
   * deleting it and puts it back if one came: a child stored before its parent is never orphaned).
   */
  private async restorePath(f: ListedFields, nowSecond: number): Promise<void> {
    const levels = statusPath(f).map((marks, level) => marks.filter((m) => isSettled(level, m.n, nowSecond + PRUNE_SKEW_SECONDS)));
    const again = new Set(levels.flat().map((m) => m._id));
    await this.store(statusMarks(f, nowSecond).filter((m) => !again.has(m._id)));
    for (const marks of levels) if (marks.length) await this.insertAll(marks);
  }

  /**
   * The marks of many new tasks at once (a bulk insert of tasks, a benchmark's fill, the backfill). Not
   * journalled: a history stored in bulk shows in the readers' lists once their kept nodes expire
   * (task-list.ts), and a journal of it would be as large as the history. `heads: false` for a history
   * older than the heads' "since" (list-heads.ts: rebuildListHeads writes its newest seconds' heads).
   */
  ensureAll(tasks: ListedFields[], opts: { heads?: boolean } = {}): Promise<void> {
    return this.store(tasks.flatMap((t) => submitMarks(t, undefined, opts.heads ?? true)));
  }

  /**
   * Stores a task's open-list mark again, past the cache, after the task was written in that status: a
   * late entry (a second older than LATE_ENTRY_MS) may race the pruning of that very mark (list-prune.ts).
   */
  async reassertOpen(f: ListedFields, now = Date.now()): Promise<void> {
    // The cheap tests first: most status changes are to a closed status, or soon after the task's creation.
    if (!isOpenStatus(f.status) || now - new Date(f.createdAt).getTime() <= LATE_ENTRY_MS) return;
    const mark = openMark(f);
    if (!mark) return;
    await this.insertAll([mark]);
    this.known.add(mark._id);
  }

  /**
   * Inserts the marks not known yet. A mark another call is inserting right now is awaited, not inserted
   * again: under load many submits of one second need the same marks at once, and each refused duplicate
   * costs the database as much as an insert.
   */
  private async store(marks: ListMarkRecord[]): Promise<void> {
    const missing = new Map<string, ListMarkRecord>();
    const pending = new Set<Promise<void>>();
    for (const mark of marks) {
      if (this.known.has(mark._id) || missing.has(mark._id)) continue;
      const inserting = this.inserting.get(mark._id);
      if (inserting) pending.add(inserting);
      else missing.set(mark._id, mark);
    }
    if (missing.size > 0) {
      const insert = this.insertAll([...missing.values()]);
      for (const id of missing.keys()) this.inserting.set(id, insert);
      pending.add(insert);
      void insert.then(
        () => {
          if (this.known.size + missing.size > MARK_CACHE_LIMIT) {
            this.known.clear();
            this.knownShapes.clear();
          }
          for (const id of missing.keys()) this.known.add(id);
          this.heads.noteInserted([...missing.values()]);
        },
        () => undefined,
      ).finally(() => {
        for (const id of missing.keys()) if (this.inserting.get(id) === insert) this.inserting.delete(id);
      });
    }
    await Promise.all(pending);
  }

  private insertAll(marks: ListMarkRecord[]): Promise<void> {
    return insertMarks(this.ListMark, marks, this.timeoutMs);
  }
}
