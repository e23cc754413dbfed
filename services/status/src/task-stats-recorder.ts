import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { Model } from 'mongoose';
import type { TaskStatus } from '@taskyard/contracts';
import type { Logger } from '@taskyard/logging';
import {
  ALL_SCOPE,
  GRANULARITY,
  TOTALS_BLOCK,
  addCounts,
  fieldName,
  ownerScope,
  periodBlockKey,
  periodOf,
  statsId,
  type FoldObservation,
  type Granularity,
  type TaskStatsRecord,
  type TypeCounts,
} from '@taskyard/tasks';

/** How often the counts in memory are added to the database (the overview lags by up to this). */
export const DEFAULT_STATS_FLUSH_MS = 5000;
/** Upserts per bulkWrite: FerretDB hangs on about 64 statements or more. */
export const STATS_WRITE_BATCH = 32;
/** Statuses whose totals the status service keeps: it moves tasks into each of them (queued ones are the queues' depth). */
export const COUNTED_STATUSES: readonly TaskStatus[] = ['running', 'retrying', 'succeeded', 'failed', 'cancelled', 'expired'];

export interface StatsRecorderConfig {
  flushMs?: number;
  /** This process's name in the documents it writes (one writer per document). */
  writer?: string;
}

interface PendingDoc {
  b: string;
  p: number;
  types: Map<string, TypeCounts>;
}

type Op = { updateOne: { filter: { _id: string }; update: Record<string, unknown>; upsert: true } };

function isEmpty(counts: TypeCounts): boolean {
  for (const _ in counts) return false;
  return true;
}

/** Dot-path `$inc`s of one type's counts (`t.<type>.<field>[.<key>]`) and `$set`s of its sample messages. */
function countPaths(type: string, c: TypeCounts): { inc: Record<string, number>; set: Record<string, string> } {
  const base = `t.${fieldName(type)}`;
  const inc: Record<string, number> = {};
  const set: Record<string, string> = {};
  for (const k of ['started', 'succeeded', 'failed', 'retried', 'cancelled'] as const) if (c[k]) inc[`${base}.${k}`] = c[k]!;
  for (const k of ['wait', 'run', 'reasons'] as const) for (const [key, n] of Object.entries(c[k] ?? {})) inc[`${base}.${k}.${key}`] = n;
  for (const [key, message] of Object.entries(c.sample ?? {})) set[`${base}.sample.${key}`] = message;
  return { inc, set };
}

/** Counts of the folds of one minute, by owner then type: what `record` adds to, spread over documents at a flush. */
type MinuteCounts = Map<string, Map<string, TypeCounts>>;

const MINUTE_MS = GRANULARITY.m.periodMs;

/**
 * Counts task activity per type and minute (and hour) in memory and adds it to `task_stats` in batches:
 * the fold's hot path adds a fold's counts once (by minute, owner and type); the documents of each period
 * and scope they count in are made at the flush. Documents carry this process's name, so no other
 * process ever writes them. Counts not yet flushed when the process dies are lost (at most one flush
 * interval's worth); they are figures for charts, not records.
 */
export class TaskStatsRecorder {
  readonly writer: string;
  private pending = new Map<string, PendingDoc>();
  private counted = new Map<number, MinuteCounts>();
  private totals = new Map<string, Map<TaskStatus, number>>();
  private timer?: NodeJS.Timeout;
  private flushing: Promise<void> = Promise.resolve();

  constructor(
    private readonly model: Model<TaskStatsRecord>,
    private readonly logger: Logger,
    private readonly cfg: StatsRecorderConfig = {},
  ) {
    this.writer = cfg.writer ?? `${hostname()}-${randomBytes(4).toString('hex')}`;
  }

  start(): void {
    this.timer = setInterval(() => void this.flush(), this.cfg.flushMs ?? DEFAULT_STATS_FLUSH_MS);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.flush();
  }

  /** Counts one written fold of a task of `type` owned by `owner`, in the period of `nowMs`. */
  record(type: string, owner: string, obs: FoldObservation, nowMs = Date.now()): void {
    if (obs.statusChange) this.moveTotals(type, obs.statusChange.from, obs.statusChange.to);
    if (isEmpty(obs.counts)) return;
    const minute = periodOf('m', nowMs);
    let owners = this.counted.get(minute);
    if (!owners) this.counted.set(minute, (owners = new Map()));
    let types = owners.get(owner);
    if (!types) owners.set(owner, (types = new Map()));
    types.set(type, addCounts(types.get(type) ?? {}, obs.counts));
  }

  /** Adds what `record` counted to the documents of every period and scope it counts in. */
  private spread(): void {
    const counted = this.counted;
    this.counted = new Map();
    for (const [minute, owners] of counted) {
      for (const g of Object.keys(GRANULARITY) as Granularity[]) {
        const period = periodOf(g, minute * MINUTE_MS);
        for (const [owner, types] of owners) {
          for (const [type, counts] of types) for (const scope of [ALL_SCOPE, ownerScope(owner)]) this.add(g, period, scope, type, counts);
        }
      }
    }
  }

  /** A task removed (deleted) in `status`: it leaves that status's total. */
  removed(type: string, status: TaskStatus): void {
    this.bumpTotal(type, status, -1);
  }

  private moveTotals(type: string, from: TaskStatus, to: TaskStatus): void {
    this.bumpTotal(type, from, -1);
    this.bumpTotal(type, to, 1);
  }

  private bumpTotal(type: string, status: TaskStatus, by: number): void {
    if (!COUNTED_STATUSES.includes(status)) return;
    let byStatus = this.totals.get(type);
    if (!byStatus) this.totals.set(type, (byStatus = new Map()));
    byStatus.set(status, (byStatus.get(status) ?? 0) + by);
  }

  private add(g: Granularity, period: number, scope: string, type: string, counts: TypeCounts): void {
    const doc = this.pendingDoc(statsId(g, period, scope, this.writer), periodBlockKey(g, period, scope), period);
    doc.types.set(type, addCounts(doc.types.get(type) ?? {}, counts));
  }

  private pendingDoc(id: string, b: string, p: number): PendingDoc {
    let doc = this.pending.get(id);
    if (!doc) this.pending.set(id, (doc = { b, p, types: new Map() }));
    return doc;
  }

  /** Adds what was counted since the last flush to the documents (one flush at a time). */
  flush(): Promise<void> {
    this.flushing = this.flushing.then(() => this.write());
    return this.flushing;
  }

  private async write(): Promise<void> {
    this.spread();
    const docs = this.pending;
    const totals = this.totals;
    this.pending = new Map();
    this.totals = new Map();
    const ops = [...this.docOps(docs), ...this.totalOps(totals)];
    for (let i = 0; i < ops.length; i += STATS_WRITE_BATCH) {
      try {
        await this.model.collection.bulkWrite(ops.slice(i, i + STATS_WRITE_BATCH) as never, { ordered: false });
      } catch (err) {
        // This batch and the ones after it are counted again at the next flush (an upsert of the failed
        // batch that did land counts twice: figures for charts, where a lost minute would be worse).
        this.logger.warn({ err: (err as Error).message, unwritten: ops.length - i }, 'task stats not written; retried at the next flush');
        this.requeue(ops.slice(i), docs, totals);
        return;
      }
    }
  }

  private requeue(unwritten: Op[], docs: Map<string, PendingDoc>, totals: Map<string, Map<TaskStatus, number>>): void {
    for (const op of unwritten) {
      const id = op.updateOne.filter._id;
      const doc = docs.get(id);
      if (doc) {
        const mine = this.pendingDoc(id, doc.b, doc.p);
        for (const [type, c] of doc.types) mine.types.set(type, addCounts(mine.types.get(type) ?? {}, c));
      } else for (const [type, byStatus] of totals) for (const [status, n] of byStatus) this.bumpTotal(type, status, n);
    }
  }

  private docOps(docs: Map<string, PendingDoc>): Op[] {
    return [...docs].map(([id, doc]) => {
      const $inc: Record<string, number> = {};
      const $set: Record<string, string> = {};
      for (const [type, c] of doc.types) {
        const paths = countPaths(type, c);
        Object.assign($inc, paths.inc);
        Object.assign($set, paths.set);
      }
      return { updateOne: { filter: { _id: id }, update: { $setOnInsert: { b: doc.b, p: doc.p }, $inc, ...(Object.keys($set).length ? { $set } : {}) }, upsert: true } };
    });
  }

  private totalOps(totals: Map<string, Map<TaskStatus, number>>): Op[] {
    const $inc: Record<string, number> = {};
    for (const [type, byStatus] of totals) for (const [status, n] of byStatus) if (n !== 0) $inc[`c.${fieldName(type)}.${status}`] = n;
    if (Object.keys($inc).length === 0) return [];
    return [{ updateOne: { filter: { _id: `${TOTALS_BLOCK}|${this.writer}` }, update: { $setOnInsert: { b: TOTALS_BLOCK }, $inc }, upsert: true } }];
  }
}
