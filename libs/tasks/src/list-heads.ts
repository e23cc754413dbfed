/**
 * List heads: the newest non-empty seconds of each list, one equality read away (issue 19, "Flat").
 *
 * The tree of marks (list-keys.ts) finds a list's newest tasks by walking down five levels, a few nodes side
 * by side at a time: a sparse list (a failed task a day) costs a round trip per level and more, so a page
 * read cold (first read of its settled nodes in KEPT_NODE_MS) took 6–12 round trips. A head is a node of its
 * own per list (`<scope>@head`) whose children are the marks of the list's non-empty seconds: the mark a
 * second has anyway (list-keys.ts) names the head of each of its lists in `p` beside their minute nodes, so
 * a head costs no write of its own. A first page is then one read of the head and one of the buckets it
 * names, whatever the list's density or age.
 *
 * Bounded by pruning: a pruner inserts a cut mark (`<scope>@hc:<cut>`, "every non-empty second at or
 * after `cut` is in the head") and only then takes the head out of the marks below the cut (`$pull` of the
 * head from `p`; a lost one of two racing pulls only leaves an entry the readers ignore, being below a cut,
 * and the list's next prune takes out again: test/list-heads-prune-race.test.ts),
 * and deletes older cut marks; writers only ever insert. So for the seconds
 * at or after the newest cut, the head is complete; below it, the reader walks the tree as before. The
 * heads are complete only from the moment the code writing them ran: the database-wide `list-heads-since`
 * mark (inserted once at start by ensureTaskIndexes, first insert wins) says from which second, and
 * `rebuildListHeads` (a list walk per scope) lowers it for a history stored before.
 */
import type { Model } from 'mongoose';
import { isDuplicateKey } from './task-model';
import { headNodeId, secondOf, type ListMarkRecord } from './list-keys';

/**
 * Seconds a head keeps after a prune: a page of the API's default limit (20) and one more, twice over. Every
 * first page reads the whole head (FerretDB ~75 us a mark, no range or limit pushed down), so a head costs in
 * proportion to its size, not to the page: heads of 128-320 marks made the first pages of a large database
 * 1.5-2x those of an empty one, whose short lists hold fewer (bench/history README, session 6). A larger page
 * goes on below the head through the tree, as a deep page does.
 */
export const HEAD_KEEP = 48;
/** A reader seeing more head seconds than this asks for a prune (in the background: the page is answered first). */
export const HEAD_MAX = 96;
/** A writer asks for a prune of a list after inserting this many of its head marks, so a list nobody reads stays bounded too. */
export const HEAD_PRUNE_EVERY = 48;
/** At most this many marks taken out of a head a prune (a bigger backlog: the next prune goes on), in bulkWrites of this many. */
export const HEAD_PRUNE_LIMIT = 256;
/**
 * Statements a write command of a prune: FerretDB hangs on about 64 (SPEC) and holds a PostgreSQL connection
 * per statement of an update command (deploy/local: its pool), and updates gain nothing from batching.
 */
const WRITE_BATCH = 8;
/** Lists counted or waiting for a prune in a process, at most (then forgotten: asked again as they grow). */
const MAX_WAITING = 10_000;
/** The database-wide mark saying from which second every list's head is complete (see above). */
export const HEADS_SINCE_ID = 'list-heads-since';

const HEAD_SUFFIX = headNodeId('');
const scopeOfHead = (head: string): string => head.slice(0, -HEAD_SUFFIX.length);

export const cutMark = (scope: string, second: number): ListMarkRecord => ({ _id: `${scope}@hc:${second}`, p: headNodeId(scope), n: second, cut: true });
/** A list's own "complete since" (rebuildListHeads): overrides the database's `list-heads-since` for this list. */
export const sinceMark = (scope: string, second: number): ListMarkRecord => ({ _id: `${scope}@hs`, p: headNodeId(scope), n: second, since: true });

/** What one read of a head says: the non-empty seconds it holds (newest first) and from which second they are all of them. */
export interface Head {
  seconds: number[];
  /** Every non-empty second at or after this one is in `seconds` (Infinity: none is known to be). */
  from: number;
  /** Marks read (head and cut marks), to know when to prune. */
  size: number;
}

export type HeadEntry = Pick<ListMarkRecord, '_id' | 'n' | 'cut' | 'since'> & Partial<Pick<ListMarkRecord, 'p'>>;

/** A head's marks; `withParents` for a prune (which must know a mark of the head alone from a second's). */
export function readHeadEntries(ListMark: Model<ListMarkRecord>, scope: string, timeoutMs: number, withParents = false): Promise<HeadEntry[]> {
  return ListMark.find({ p: headNodeId(scope) }, { n: 1, cut: 1, since: 1, ...(withParents ? { p: 1 } : {}) }).maxTimeMS(timeoutMs).lean<HeadEntry[]>().exec();
}

/**
 * A head as read, given the database's `list-heads-since` second (undefined: no head-writing code started
 * on it yet): complete from the newest cut, or from the list's own or the database's "since", the later.
 */
export function headOf(entries: HeadEntry[], databaseSince: number | undefined): Head {
  const own = entries.find((e) => e.since);
  let from = own ? own.n : (databaseSince ?? Number.POSITIVE_INFINITY);
  for (const e of entries) if (e.cut && e.n > from) from = e.n;
  const seconds = [...new Set(entries.filter((e) => !e.cut && !e.since).map((e) => e.n))].sort((a, b) => b - a);
  return { seconds, from, size: entries.length };
}

/** The second from which heads are complete (undefined before the first start of head-writing code). */
export async function headsSince(ListMark: Model<ListMarkRecord>, timeoutMs: number): Promise<number | undefined> {
  const mark = await ListMark.findOne({ _id: HEADS_SINCE_ID }, { n: 1 }).maxTimeMS(timeoutMs).lean<Pick<ListMarkRecord, 'n'>>().exec();
  return mark?.n;
}

/**
 * Inserted once at a service's start (the first insert wins): heads are complete for tasks listed from now
 * on. A database with an earlier history lowers it with `rebuildListHeads`.
 */
export function markHeadsSince(ListMark: Model<ListMarkRecord>, now = Date.now()): Promise<void> {
  return insertMarks(ListMark, [{ _id: HEADS_SINCE_ID, p: HEADS_SINCE_ID, n: secondOf(now) }], 10_000);
}

const INSERT_BATCH = 500;

/** insertMany (FerretDB rewards batching inserts) of bounded batches; a duplicate is a mark already there. */
export async function insertMarks(ListMark: Model<ListMarkRecord>, marks: ListMarkRecord[], timeoutMs: number): Promise<void> {
  for (let i = 0; i < marks.length; i += INSERT_BATCH) {
    await ListMark.collection.insertMany(marks.slice(i, i + INSERT_BATCH) as never[], { ordered: false, maxTimeMS: timeoutMs } as never).catch((err: unknown) => {
      if (!isDuplicateKey(err)) throw err;
    });
  }
}

/** Configuration of the head pruning (see above for the defaults' reasons). */
export interface HeadPruneConfig {
  keep: number;
  pruneEvery: number;
  limit: number;
  timeoutMs: number;
}

export const DEFAULT_HEAD_PRUNE: HeadPruneConfig = { keep: HEAD_KEEP, pruneEvery: HEAD_PRUNE_EVERY, limit: HEAD_PRUNE_LIMIT, timeoutMs: 10_000 };

/** What a prune did: nothing to do, or the cut it stored and how many marks it took out of the head below it. */
export type HeadPruneOutcome = { decision: 'within-bounds' } | { decision: 'cut'; cut: number; removed: number } | { decision: 'already-running' };

/**
 * Keeps heads bounded: prunes a list's head once a writer of this process inserted `pruneEvery` of its head
 * marks, or when a reader saw it over HEAD_MAX. One prune at a time in a process (in the background, off
 * the request's path; FerretDB holds a PostgreSQL connection per statement of an update command, so
 * prunes side by side could exhaust its pool); two processes pruning one list both only take out of the
 * head what is below a cut they stored, which is safe.
 */
export class HeadPruner {
  private readonly inserted = new Map<string, number>();
  private readonly running = new Set<string>();
  /** Lists waiting for a prune. */
  private readonly waiting = new Set<string>();
  private draining = false;
  private drained: Promise<void> = Promise.resolve();

  constructor(
    private readonly ListMark: Model<ListMarkRecord>,
    private readonly cfg: HeadPruneConfig = DEFAULT_HEAD_PRUNE,
  ) {}

  /** Settles once every prune asked for so far is done (they run in the background). */
  idle(): Promise<void> {
    return this.drained;
  }

  /** Counts head marks just inserted, pruning (in the background) the heads that grew by `pruneEvery`. */
  noteInserted(marks: ListMarkRecord[]): void {
    for (const head of marks.flatMap((m) => (Array.isArray(m.p) ? m.p : [m.p])).filter((p) => p.endsWith(HEAD_SUFFIX))) {
      const n = (this.inserted.get(head) ?? 0) + 1;
      if (n < this.cfg.pruneEvery) {
        this.inserted.set(head, n);
        continue;
      }
      this.inserted.delete(head);
      this.request(scopeOfHead(head));
    }
    if (this.inserted.size > MAX_WAITING) this.inserted.clear();
  }

  /** Prunes a list's head in the background, after those asked for before it. */
  request(scope: string): void {
    if (this.waiting.size >= MAX_WAITING && !this.waiting.has(scope)) return; // asked again at its next growth
    this.waiting.add(scope);
    if (!this.draining) this.drained = this.drain();
  }

  private async drain(): Promise<void> {
    this.draining = true;
    try {
      for (let next = this.waiting.values().next(); !next.done; next = this.waiting.values().next()) {
        this.waiting.delete(next.value);
        await this.prune(next.value).catch(() => undefined); // a failed prune leaves the head a little longer: the next one goes on
      }
    } finally {
      this.draining = false;
    }
  }

  /** Cuts a list's head to its newest `keep` seconds. */
  async prune(scope: string): Promise<HeadPruneOutcome> {
    if (this.running.has(scope)) return { decision: 'already-running' };
    this.running.add(scope);
    try {
      const read = await readHeadEntries(this.ListMark, scope, this.cfg.timeoutMs, true);
      const { seconds } = headOf(read, 0);
      if (seconds.length <= this.cfg.keep) return { decision: 'within-bounds' };
      const cut = seconds[this.cfg.keep - 1];
      // The cut first: once it is stored, a reader no longer trusts the head below it, so deleting there is safe.
      await insertMarks(this.ListMark, [cutMark(scope, cut)], this.cfg.timeoutMs);
      // A second's mark stays (the tree needs it): only the head leaves its `p`. A mark of the head alone goes.
      const head = headNodeId(scope);
      const ops = read
        .filter((e) => e.n < cut && !e.since)
        .slice(0, this.cfg.limit)
        .map((e) => (Array.isArray(e.p) ? { updateOne: { filter: { _id: e._id }, update: { $pull: { p: head } } } } : { deleteOne: { filter: { _id: e._id } } }));
      for (let i = 0; i < ops.length; i += WRITE_BATCH) {
        await this.ListMark.bulkWrite(ops.slice(i, i + WRITE_BATCH) as never, { ordered: false, maxTimeMS: this.cfg.timeoutMs } as never);
      }
      return { decision: 'cut', cut, removed: ops.length };
    } finally {
      this.running.delete(scope);
    }
  }
}
