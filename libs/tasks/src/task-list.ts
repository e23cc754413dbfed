import type { Model } from 'mongoose';
import {
  JOURNAL_SECONDS,
  LEVEL_SECONDS,
  SETTLE_SECONDS,
  TOP_LEVEL,
  journalNodeId,
  nodeAt,
  nodeEnd,
  nodeId,
  pickScope,
  rootId,
  secondOf,
  type ListFilter,
  type ListMarkRecord,
} from './list-keys';
import type { TaskRecord } from './task-record';
import { HEAD_MAX, HeadPruner, headOf, headsSince, readHeadEntries, type Head } from './list-heads';
import { OpenMarkHealer, STALE_OPEN_MARK_MS } from './list-prune';
import { bucketTasks } from './task-outcome';
import { EndedTasks } from './ended-tasks';

/** Where a page starts: strictly after this task in the list's order (newest first, then `_id` descending). */
export interface ListPosition {
  createdAt: Date;
  id: string;
}

export interface ListPageQuery extends ListFilter {
  limit: number;
  after?: ListPosition;
  /** Fields to read of each task (a find projection). */
  projection?: Record<string, 0 | 1>;
}

/** What reading one page cost, for the benchmark and the tests (filled in when passed to `page`). */
export interface PageStats {
  /** Sequential round trips to the database (an upper bound: reads side by side count once). */
  rounds: number;
  /** Reads of marks (a node's children or a journal minute) and of buckets of tasks. */
  markReads: number;
  bucketReads: number;
  /** Nodes whose kept children were used instead of a read, buckets whose kept tasks were. */
  keptNodes: number;
  keptBuckets: number;
  tasksRead: number;
  /** Marks the list head's read returned (list-heads.ts): every first page reads them all. */
  headMarks: number;
}

export const emptyPageStats = (): PageStats => ({ rounds: 0, markReads: 0, bucketReads: 0, keptNodes: 0, keptBuckets: 0, tasksRead: 0, headMarks: 0 });

type Listed = Pick<TaskRecord, '_id' | 'createdAt' | 'type' | 'status' | 'tag'>;

/** The most buckets of unknown size (or nodes' children) read side by side while filling a page. */
const MAX_WINDOW = 16;
/**
 * A head whose newest seconds are this far apart on average or more is sparse: its buckets hold a task or
 * so each, and a page reads as many as it needs in one round. Denser, buckets may be crowded: the window
 * starts at a quarter of the need and grows fourfold, so the rounds stay few and the tasks read past the
 * page at most a few times the page.
 */
const SPARSE_GAP_SECONDS = 2;
/** The most buckets read side by side in one round, sizes known or not. */
const MAX_ROUND = 64;
/**
 * How long a settled node's children are kept (list-keys.ts). A page reads the journal minutes of this long
 * and JOURNAL_MARGIN_SECONDS more, so a late entry written after a node was kept is still seen.
 */
export const KEPT_NODE_MS = 30_000;
/** Covers a mark insert's deadline (it may commit that long after its writer's clock was read) and clock skew. */
const JOURNAL_MARGIN_SECONDS = 20;
/** Kept nodes and bucket sizes, up to this many each (then forgotten at once: the next pages read them again). */
export const KEPT_LIMIT = 50_000;
/** Tasks of settled buckets kept, up to this many. */
export const KEPT_TASKS_LIMIT = 20_000;

const FINAL_STATUSES = new Set(['failed', 'cancelled', 'expired']);

/**
 * A task no write will change any more (failed, cancelled and expired are final; succeeded is, but for
 * the expiry of its artifacts, which its `expiresAt` tells), so a kept copy of it is as good as a read.
 */
function finishedForGood(t: Listed & Partial<Pick<TaskRecord, 'artifacts' | 'expiresAt'>>, nowMs: number): boolean {
  if (FINAL_STATUSES.has(t.status)) return true;
  if (t.status !== 'succeeded' || !Array.isArray(t.artifacts)) return false;
  return t.artifacts.length === 0 || (t.expiresAt !== undefined && new Date(t.expiresAt).getTime() > nowMs + KEPT_NODE_MS);
}

/** Whether a head's newest `need` seconds are SPARSE_GAP_SECONDS apart or more on average (see there). */
function isSparse(seconds: number[], need: number): boolean {
  const k = Math.min(need, seconds.length);
  if (k < 2) return true;
  return seconds[0] - seconds[k - 1] >= SPARSE_GAP_SECONDS * (k - 1);
}

const newestFirst = (a: Listed, b: Listed): number =>
  new Date(b.createdAt).getTime() - new Date(a.createdAt).getTime() || (a._id < b._id ? 1 : a._id > b._id ? -1 : 0);

function isBefore(t: Listed, at: ListPosition): boolean {
  const ms = new Date(t.createdAt).getTime();
  const atMs = at.createdAt.getTime();
  return ms < atMs || (ms === atMs && t._id < at.id);
}

/** One page's reads: each node's children read at most once, the journal's late minutes, the costs. */
interface PageReads {
  scope: string;
  nowSecond: number;
  children: Map<string, Promise<number[]>>;
  /** Minutes that late entries of the last minutes went into (list-keys.ts): kept nodes holding one are read afresh. */
  late: Promise<Set<number>>;
  /** The list's head (list-heads.ts), read in the first round. */
  head: Promise<Head>;
  /** Whether the tree's first reads (root, the nodes of the last minutes) were started. */
  tree: boolean;
  /** Whether the page went on below the list's head. */
  belowHead?: boolean;
  /** An open list's marks (children of its root) by second, for the pruning of those no task holds. */
  openMarks?: Map<number, ListMarkRecord[]>;
  stats: PageStats;
  /** Whether a read was started since this was last cleared (a round waiting on it is a round trip of its own). */
  missed: boolean;
}

/**
 * Reads a list page by equality only (list-keys.ts): the marks of the nodes on the way down, then whole
 * one-second buckets newest first, until the page and one more task are found. Never a sort, a range or
 * an `$in` on the tasks, so the cost follows the page, not the history.
 *
 * The round trips are few whatever the history: the nodes that may still change (the root and those
 * holding the last SETTLE_SECONDS) and the journal of late entries are read side by side first; settled
 * nodes' children are kept a while (KEPT_NODE_MS) and reused; the size of each settled bucket is
 * remembered, so a page reads as many buckets side by side as its remaining tasks need, in one round
 * where it read them before; and the tasks of a settled bucket whose tasks are all finished for good are
 * kept as long as its nodes (no write changes them; a late entry into it is in the journal).
 */
export class TaskList {
  private readonly kept = new Map<string, { at: number; kids: number[]; settledBefore: number }>();
  /** Tasks kept by a filter in each settled bucket when last read, by bucket and filter. */
  private readonly sizes = new Map<string, number>();
  /** The tasks of settled buckets whose every task is finished for good, by bucket and projection. */
  private readonly settledTasks = new Map<string, { at: number; rows: Listed[] }>();
  private settledTaskCount = 0;
  /** The database's "heads since" (list-heads.ts), read every KEPT_NODE_MS. */
  private since?: { at: number; value: Promise<number | undefined> };
  private readonly pruner: HeadPruner;
  /** Lists whose last page went on below their head: the next starts the tree's reads in its first round too. */
  private readonly pastHead = new Map<string, true>();
  /**
   * The second from which each list's head was complete when last read, kept KEPT_NODE_MS: a page starting
   * below it (a deep page) skips the head's read, which would give it nothing (list-heads.ts).
   */
  private readonly headFrom = new Map<string, { at: number; from: number }>();
  /** Prunes the open lists' marks a page found no task under (list-prune.ts). */
  readonly healer: OpenMarkHealer;
  /** Ended tasks this reader has seen: their open lists' buckets and their documents need no read again (ended-tasks.ts). */
  private readonly ended: EndedTasks;

  constructor(
    private readonly Task: Model<TaskRecord>,
    private readonly ListMark: Model<ListMarkRecord>,
    private readonly timeoutMs: number,
    private readonly now: () => number = Date.now,
  ) {
    this.pruner = new HeadPruner(ListMark);
    this.healer = new OpenMarkHealer(Task, ListMark, timeoutMs);
    this.ended = new EndedTasks(now);
  }

  /** The page, and whether more tasks follow it; `stats`, when given, is filled with what it cost. */
  async page<T extends Listed>(q: ListPageQuery, stats: PageStats = emptyPageStats()): Promise<{ items: T[]; more: boolean }> {
    const { scope, open, residual } = pickScope(q);
    const keep = (t: T): boolean =>
      (residual.type === undefined || t.type === residual.type) &&
      (residual.status === undefined || t.status === residual.status) &&
      (residual.tag === undefined || t.tag === residual.tag);
    const sizeKey = (second: number): string => `${nodeId(scope, 0, second)}|${residual.type ?? ''}|${residual.tag ?? ''}`;
    const upper = q.after ? secondOf(q.after.createdAt) : Number.MAX_SAFE_INTEGER;
    const reads = this.startPage(scope, open, upper, stats, q.after !== undefined || this.pastHead.has(scope));
    const lateMinutes = open ? new Set<number>() : await reads.late;
    const head = open ? undefined : await reads.head;
    const late = (second: number): boolean => lateMinutes.has(nodeAt(1, second));
    // The cursor's own second counts for nothing: its known tasks are mostly at or before the cursor.
    const sizeOf = (second: number): number | undefined => (late(second) ? undefined : q.after && second === upper ? 0 : this.sizes.get(sizeKey(second)));
    const batches = open ? this.openSeconds(reads, upper) : this.headThenTree(reads, head!, upper);
    const queue: number[] = [];
    const found: T[] = [];
    let exhausted = false;
    const dense = !head || !isSparse(head.seconds.filter((s) => s >= head.from && s <= upper), q.limit + 1);
    let width = dense ? 1 : Math.min(q.limit + 1, MAX_ROUND);
    const grow = (w: number): number => (head && dense ? Math.min(w * 4, MAX_ROUND) : Math.min(w * 2, MAX_WINDOW));
    if (head && dense) width = Math.ceil((q.limit + 1) / 4);
    while (found.length <= q.limit) {
      // Enough seconds to choose this round's buckets: those whose remembered sizes fill the page, and at
      // most `width` of unknown size (a window doubling each round, for a list of crowded seconds).
      let take = this.window(queue, q.limit + 1 - found.length, width, sizeOf);
      while (!take.complete && !exhausted) {
        const next = await batches.next();
        if (next.done) exhausted = true;
        else queue.push(...next.value);
        take = this.window(queue, q.limit + 1 - found.length, width, sizeOf);
      }
      if (!take.count) break;
      const seconds = queue.splice(0, take.count);
      const buckets = await this.buckets<T>(reads, seconds, late, q.projection);
      if (open) this.healStale(reads, seconds, buckets);
      for (const [i, rows] of buckets.entries()) {
        const kept = rows.filter(keep);
        if (seconds[i] < reads.nowSecond - SETTLE_SECONDS && !late(seconds[i])) this.remember(this.sizes, sizeKey(seconds[i]), kept.length);
        found.push(...kept.filter((t) => !q.after || isBefore(t, q.after)).sort(newestFirst));
      }
      if (take.unknown) width = grow(width);
    }
    if (reads.belowHead) this.remember(this.pastHead, scope, true);
    else this.pastHead.delete(scope);
    return { items: found.slice(0, q.limit), more: found.length > q.limit };
  }

  /**
   * How many of the queued seconds to read next: until their known sizes add up to `need` or `width` of
   * unknown size are taken; `complete` when the queue held enough to decide.
   */
  private window(queue: number[], need: number, width: number, sizeOf: (s: number) => number | undefined): { count: number; unknown: number; complete: boolean } {
    let expected = 0;
    let unknown = 0;
    let count = 0;
    while (count < queue.length) {
      const size = sizeOf(queue[count]);
      if (size === undefined && unknown === width) break;
      if (size === undefined) unknown++;
      expected += size ?? 1;
      count++;
      if (expected >= need || count === MAX_ROUND) return { count, unknown, complete: true };
    }
    return { count, unknown, complete: count < queue.length };
  }

  /**
   * Starts the page's first round: the list's head, the journal's last minutes, and (`tree`: a deep page,
   * which the head rarely reaches) the tree's first reads.
   */
  private startPage(scope: string, open: boolean, upper: number, stats: PageStats, tree: boolean): PageReads {
    const nowSecond = secondOf(this.now());
    const none = Promise.resolve({ seconds: [], from: Number.POSITIVE_INFINITY, size: 0 });
    const reads: PageReads = { scope, nowSecond, children: new Map(), late: Promise.resolve(new Set()), head: none, tree: false, stats, missed: false };
    if (open) return reads;
    stats.rounds++;
    // The head holds HEAD_KEEP-HEAD_MAX seconds, its largest read (FerretDB spends ~75 us a document): a page
    // whose cursor is below where the head starts reads only the tree. Safe whatever the
    // head became since: the tree holds every second.
    const known = this.headFrom.get(scope);
    if (!(tree && known && this.now() - known.at < KEPT_NODE_MS && upper < known.from)) reads.head = this.readHead(scope, stats);
    const periods: number[] = [];
    for (let p = Math.floor((nowSecond - KEPT_NODE_MS / 1000 - JOURNAL_MARGIN_SECONDS) / JOURNAL_SECONDS); p <= Math.floor((nowSecond + 5) / JOURNAL_SECONDS); p++) periods.push(p);
    stats.markReads += periods.length;
    reads.late = Promise.all(periods.map((p) => this.marks(journalNodeId(scope, p)))).then((lists) => new Set(lists.flat()));
    // After the journal's read is started: the tree's kept nodes are checked against it.
    if (tree) this.startTree(reads, upper);
    return reads;
  }

  /** The tree's first reads, side by side: the root and the nodes holding the last SETTLE_SECONDS up to `upper`. */
  private startTree(reads: PageReads, upper: number): void {
    reads.tree = true;
    this.childrenOf(reads, rootId(reads.scope), TOP_LEVEL + 1, 'root', upper);
    const from = Math.min(reads.nowSecond - SETTLE_SECONDS, upper);
    const to = Math.min(reads.nowSecond + 5, upper);
    for (let level = TOP_LEVEL; level >= 1 && from <= to; level--) {
      for (let n = nodeAt(level, from); n <= nodeAt(level, to); n++) this.childrenOf(reads, nodeId(reads.scope, level, n), level, n, upper);
    }
  }

  /**
   * A list's head and from which second it is complete; one asking for a prune is pruned after the page
   * (list-heads.ts). The database's "since" is read again every KEPT_NODE_MS (a rebuild may lower it).
   */
  private async readHead(scope: string, stats: PageStats): Promise<Head> {
    stats.markReads++;
    const nowMs = this.now();
    if (!this.since || nowMs - this.since.at >= KEPT_NODE_MS) {
      const at = nowMs;
      this.since = { at, value: headsSince(this.ListMark, this.timeoutMs) };
      this.since.value.catch(() => {
        if (this.since?.at === at) this.since = undefined;
      });
    }
    const [entries, since] = await Promise.all([readHeadEntries(this.ListMark, scope, this.timeoutMs), this.since.value]);
    const head = headOf(entries, since);
    stats.headMarks += entries.length;
    this.remember(this.headFrom, scope, { at: nowMs, from: head.from });
    if (head.size > HEAD_MAX) this.pruner.request(scope);
    return head;
  }

  /**
   * The tasks of some buckets, read side by side (one round) but for those kept: a settled bucket (no late
   * entry in the journal) whose tasks are all finished for good is kept KEPT_NODE_MS, as its nodes are.
   */
  private async buckets<T extends Listed>(reads: PageReads, seconds: number[], late: (second: number) => boolean, projection?: Record<string, 0 | 1>): Promise<T[][]> {
    const nowMs = this.now();
    const projectionKey = JSON.stringify(projection ?? {});
    const keyOf = (second: number): string => `${nodeId(reads.scope, 0, second)}|${projectionKey}`;
    const keepable = (second: number): boolean => second < reads.nowSecond - SETTLE_SECONDS && !late(second);
    const kept = seconds.map((s) => {
      const k = keepable(s) ? this.settledTasks.get(keyOf(s)) : undefined;
      return k && nowMs - k.at < KEPT_NODE_MS ? (k.rows as T[]) : undefined;
    });
    const reading = seconds.filter((_, i) => !kept[i]).length;
    reads.stats.keptBuckets += seconds.length - reading;
    reads.stats.bucketReads += reading;
    if (reading) reads.stats.rounds++;
    return Promise.all(
      seconds.map(async (s, i) => {
        const known = kept[i];
        if (known) return known;
        const rows = await this.bucket<T>(reads.scope, s, projection);
        reads.stats.tasksRead += rows.length;
        if (keepable(s) && rows.every((t) => finishedForGood(t, nowMs))) this.keepTasks(keyOf(s), { at: nowMs, rows });
        return rows;
      }),
    );
  }

  private keepTasks(key: string, entry: { at: number; rows: Listed[] }): void {
    if (this.settledTaskCount + entry.rows.length > KEPT_TASKS_LIMIT) {
      this.settledTasks.clear();
      this.settledTaskCount = 0;
    }
    this.settledTaskCount += entry.rows.length - (this.settledTasks.get(key)?.rows.length ?? 0);
    this.settledTasks.set(key, entry);
  }

  private bucket<T extends Listed>(scope: string, second: number, projection?: Record<string, 0 | 1>): Promise<T[]> {
    const fields: Record<string, 0 | 1> = projection ? { ...projection, ...(Object.values(projection).includes(1) ? { createdAt: 1, type: 1, status: 1, tag: 1 } : {}) } : {};
    return bucketTasks<T>(this.Task, nodeId(scope, 0, second), fields, this.timeoutMs, this.ended);
  }

  private async marks(parent: string): Promise<number[]> {
    const marks = await this.ListMark.find({ p: parent }, { n: 1 }).maxTimeMS(this.timeoutMs).lean<Pick<ListMarkRecord, 'n'>[]>().exec();
    return marks.map((m) => m.n);
  }

  /**
   * A node's children (every one), read once a page, or kept from an earlier page for the part of the node the
   * page reads (up to second `upper`) that was settled when they were read, while no late entry went there
   * since (the journal's minutes, read in the page's first round). A settled node's whole span was; of a node
   * still open (the root, the 64-day block and the day holding now), the span below the settled edge was: a
   * deep page reuses it instead of reading afresh a node whose children grow with the history (the current
   * block's days times the lists' families: 76-101 marks and a getMore at 1,000,000 tasks, 4-6 on an empty
   * database; bench/history README, session 7).
   */
  private childrenOf(reads: PageReads, parent: string, level: number, n: number | 'root', upper = Number.MAX_SAFE_INTEGER): Promise<number[]> {
    const known = reads.children.get(parent);
    if (known) return known;
    const first = n === 'root' ? 0 : n * (LEVEL_SECONDS[level] / 60);
    const until = Math.min(n === 'root' ? Number.MAX_SAFE_INTEGER : nodeEnd(level, n), upper);
    const kept = this.kept.get(parent);
    let kids: Promise<number[]>;
    if (kept && this.now() - kept.at < KEPT_NODE_MS && until < kept.settledBefore) {
      const last = nodeAt(1, until);
      kids = reads.late.then((late) => {
        if (![...late].some((m) => m >= first && m <= last)) {
          reads.stats.keptNodes++;
          return kept.kids;
        }
        reads.stats.rounds++; // read after the journal's round: one more
        return this.readChildren(reads, parent);
      });
    } else {
      reads.missed = true;
      kids = this.readChildren(reads, parent);
    }
    reads.children.set(parent, kids);
    return kids;
  }

  /** A node's children read afresh, kept with the second below which they were settled (SETTLE_SECONDS before the read). */
  private readChildren(reads: PageReads, parent: string): Promise<number[]> {
    reads.stats.markReads++;
    const at = this.now();
    const kids = this.marks(parent);
    void kids.then((k) => this.remember(this.kept, parent, { at, kids: k, settledBefore: secondOf(at) - SETTLE_SECONDS }), () => undefined);
    return kids;
  }

  private remember<V>(map: Map<string, V>, key: string, value: V): void {
    if (map.size >= KEPT_LIMIT && !map.has(key)) map.clear();
    map.set(key, value);
  }

  /** The child numbers of a node (of `level + 1`; the root above the top level), newest first, up to the one holding second `upper`. */
  private async children(reads: PageReads, level: number, parent: number | 'root', upper: number): Promise<number[]> {
    const id = parent === 'root' ? rootId(reads.scope) : nodeId(reads.scope, level + 1, parent);
    const kids = await this.childrenOf(reads, id, level + 1, parent, upper);
    const bound = Math.floor(upper / LEVEL_SECONDS[level]);
    // Several marks (one per family of lists) may name the same child.
    return [...new Set(kids)].filter((n) => n <= bound).sort((a, b) => b - a);
  }

  /** The seconds of an open status's list (children of its root, list-keys.ts), newest first, none after `upper`. */
  private async *openSeconds(reads: PageReads, upper: number): AsyncGenerator<number[]> {
    reads.stats.markReads++;
    reads.stats.rounds++;
    const marks = await this.ListMark.find({ p: rootId(reads.scope) }).maxTimeMS(this.timeoutMs).lean<ListMarkRecord[]>().exec();
    reads.openMarks = new Map();
    for (const m of marks) reads.openMarks.set(m.n, [...(reads.openMarks.get(m.n) ?? []), m]);
    const seconds = [...reads.openMarks.keys()].filter((n) => n <= upper).sort((a, b) => b - a);
    if (seconds.length) yield seconds;
  }

  /**
   * An open list's seconds whose bucket held no task and that are older than STALE_OPEN_MARK_MS: their marks
   * are left over (a lost pruning timer), and each costs every page a bucket read: pruned in the background.
   */
  private healStale(reads: PageReads, seconds: number[], buckets: unknown[][]): void {
    const before = reads.nowSecond - STALE_OPEN_MARK_MS / 1000;
    const stale = seconds.filter((s, i) => s < before && buckets[i].length === 0).flatMap((s) => reads.openMarks?.get(s) ?? []);
    if (stale.length) this.healer.request(stale);
  }

  /**
   * The newest `count` non-empty seconds of a list by its tree alone (rebuildListHeads), newest first, and
   * whether they are all the list has.
   */
  async treeSeconds(scope: string, count: number): Promise<{ seconds: number[]; all: boolean }> {
    const none = Promise.resolve({ seconds: [], from: Number.POSITIVE_INFINITY, size: 0 });
    const reads: PageReads = { scope, nowSecond: secondOf(this.now()), children: new Map(), late: Promise.resolve(new Set()), head: none, tree: false, stats: emptyPageStats(), missed: false };
    const seconds: number[] = [];
    for await (const batch of this.headThenTree(reads, await none, Number.MAX_SAFE_INTEGER)) {
      seconds.push(...batch);
      if (seconds.length >= count) return { seconds: seconds.slice(0, count), all: false };
    }
    return { seconds, all: true };
  }

  /**
   * Batches of non-empty seconds, newest first, none after `upper`: those of the head from where it is
   * complete, then the tree's below (list-heads.ts).
   */
  private async *headThenTree(reads: PageReads, head: Head, upper: number): AsyncGenerator<number[]> {
    const fromHead = head.seconds.filter((s) => s >= head.from && s <= upper);
    if (fromHead.length) yield fromHead;
    const below = Math.min(upper, head.from - 1);
    if (below < 0) return;
    reads.belowHead = true;
    if (!reads.tree) {
      reads.stats.rounds++;
      this.startTree(reads, below);
    }
    yield* this.under(reads, TOP_LEVEL, await this.children(reads, TOP_LEVEL, 'root', below), below);
  }

  /**
   * The non-empty seconds under `nodes` (of one level, newest first): the children of a few nodes are read
   * side by side, a window that grows while the page still needs more, so a sparse history costs a few
   * round trips per level rather than one per task (none for nodes already read or kept).
   */
  private async *under(reads: PageReads, level: number, nodes: number[], upper: number): AsyncGenerator<number[]> {
    for (let i = 0, width = 2; i < nodes.length; i += width, width = Math.min(width * 2, MAX_WINDOW)) {
      reads.missed = false;
      const reading = nodes.slice(i, i + width).map((n) => this.children(reads, level - 1, n, upper));
      if (reads.missed) reads.stats.rounds++;
      const lists = await Promise.all(reading);
      const kids = lists.flat();
      if (level === 1) {
        if (kids.length) yield kids;
      } else {
        yield* this.under(reads, level - 1, kids, upper);
      }
    }
  }
}
