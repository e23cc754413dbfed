import mongoose, { type Connection, type Model } from 'mongoose';
import type { TaskStatus } from '@taskyard/contracts';

const { Schema } = mongoose;

/**
 * Per-minute and per-hour counters of task activity, folded by the status service (never a scan of tasks).
 * Each status process keeps its counts in memory and adds them to documents of its own (`w`, the writer),
 * so no two processes ever update one document (FerretDB loses concurrent updates); readers sum the
 * writers' documents. Documents are read by equality on `b`, a block of periods of one scope, so a page
 * view reads a handful of documents, and closed blocks can be cached by the reader.
 */

/** Upper bounds (ms) of the duration buckets: wait and run times are counted into these; the last bucket is open. */
export const DURATION_BOUNDS_MS = [50, 100, 250, 500, 1000, 2500, 5000, 10_000, 30_000, 60_000, 120_000, 300_000, 600_000, 1_800_000, 3_600_000, 14_400_000, 86_400_000] as const;

export type Granularity = 'm' | 'h';
/** A period's length and how many periods one block (one read) holds. */
export const GRANULARITY: Record<Granularity, { periodMs: number; perBlock: number }> = {
  m: { periodMs: 60_000, perBlock: 10 },
  h: { periodMs: 3_600_000, perBlock: 6 },
};

/** Everyone's figures (`*`, admins) or one owner's (`o:<owner>`, what a user sees). */
export const ALL_SCOPE = '*';
export const ownerScope = (owner: string): string => `o:${owner}`;

/** Counts of one job type in one period. */
export interface TypeCounts {
  started?: number;
  succeeded?: number;
  failed?: number;
  retried?: number;
  cancelled?: number;
  /** Duration bucket index → count. */
  wait?: Record<string, number>;
  run?: Record<string, number>;
  /** Failure code → count (failed tasks and retried attempts). */
  reasons?: Record<string, number>;
  /** Failure code → the message of one of them. */
  sample?: Record<string, string>;
}

export interface TaskStatsRecord {
  /** `<granularity>|<period>|<scope>|<writer>` */
  _id: string;
  /** The block this period belongs to: `<granularity>|<block>|<scope>`; the only field queried. */
  b: string;
  /** The period: minutes (or hours) since the epoch. */
  p: number;
  t: Record<string, TypeCounts>;
}

/** Tasks in each status the status service moves them to, by type, as one writer's additions (`b: 'tot'`). */
export interface StatusTotalsRecord {
  _id: string;
  b: string;
  c: Record<string, Partial<Record<TaskStatus, number>>>;
}

const statsSchema = new Schema<TaskStatsRecord>({ _id: String, b: String, p: Number, t: Schema.Types.Mixed }, { versionKey: false, collection: 'task_stats', minimize: false });
statsSchema.index({ b: 1 });

export const TOTALS_BLOCK = 'tot';

export function taskStatsModel(conn: Connection): Model<TaskStatsRecord> {
  return conn.models.TaskStats ?? conn.model<TaskStatsRecord>('TaskStats', statsSchema);
}

export const periodOf = (g: Granularity, ms: number): number => Math.floor(ms / GRANULARITY[g].periodMs);
export const blockOf = (g: Granularity, period: number): number => Math.floor(period / GRANULARITY[g].perBlock);
export const blockKey = (g: Granularity, block: number, scope: string): string => `${g}|${block}|${scope}`;
export const statsId = (g: Granularity, period: number, scope: string, writer: string): string => `${g}|${period}|${scope}|${writer}`;
/** The key (`b`) of the block that holds `period`: what a writer stamps on its document and a reader asks for. */
export const periodBlockKey = (g: Granularity, period: number, scope: string): string => blockKey(g, blockOf(g, period), scope);
/** When a block's last period ends (ms since the epoch): after it, no writer adds to the block. */
export const blockEndMs = (g: Granularity, block: number): number => (block + 1) * GRANULARITY[g].perBlock * GRANULARITY[g].periodMs;

/** A window of the last `points` periods up to the one of `nowMs`, and the blocks that hold them (oldest first). */
export interface StatsWindow {
  first: number;
  last: number;
  blocks: number[];
}

export function statsWindow(g: Granularity, nowMs: number, points: number): StatsWindow {
  const last = periodOf(g, nowMs);
  const first = last - points + 1;
  const blocks: number[] = [];
  for (let b = blockOf(g, first); b <= blockOf(g, last); b++) blocks.push(b);
  return { first, last, blocks };
}

/** The bucket a duration falls in. */
export function durationBucket(ms: number): number {
  const i = DURATION_BOUNDS_MS.findIndex((b) => ms <= b);
  return i === -1 ? DURATION_BOUNDS_MS.length : i;
}

/** A name safe as a document field: no `.` or `$`, bounded (codes come from job handlers). */
export function fieldName(raw: string): string {
  const s = raw.replace(/[^A-Za-z0-9_-]/g, '_').slice(0, 64);
  return s || '_';
}

/** Adds `from` into `into` (counts, buckets and reasons; one sample message per reason is kept). */
export function addCounts(into: TypeCounts, from: TypeCounts): TypeCounts {
  for (const k of ['started', 'succeeded', 'failed', 'retried', 'cancelled'] as const) {
    if (from[k]) into[k] = (into[k] ?? 0) + from[k]!;
  }
  for (const k of ['wait', 'run', 'reasons'] as const) {
    const src = from[k];
    if (!src) continue;
    const dst = (into[k] ??= {});
    for (const [key, n] of Object.entries(src)) dst[key] = (dst[key] ?? 0) + n;
  }
  if (from.sample) into.sample = { ...from.sample, ...into.sample };
  return into;
}

/**
 * The q-quantile (0..1) of a bucketed distribution, interpolated linearly inside its bucket (as
 * Prometheus' histogram_quantile does); undefined with no observations. The open last bucket answers
 * its lower bound.
 */
export function quantileMs(buckets: Record<string, number> | undefined, q: number): number | undefined {
  if (!buckets) return undefined;
  const counts = Array.from({ length: DURATION_BOUNDS_MS.length + 1 }, (_, i) => buckets[String(i)] ?? 0);
  const total = counts.reduce((a, b) => a + b, 0);
  if (total === 0) return undefined;
  const rank = q * total;
  let seen = 0;
  for (let i = 0; i < counts.length; i++) {
    if (counts[i] === 0 || seen + counts[i] < rank) {
      seen += counts[i];
      continue;
    }
    const lower = i === 0 ? 0 : DURATION_BOUNDS_MS[i - 1];
    if (i === DURATION_BOUNDS_MS.length) return lower;
    const upper = DURATION_BOUNDS_MS[i];
    return Math.round(lower + ((upper - lower) * (rank - seen)) / counts[i]);
  }
  return DURATION_BOUNDS_MS[DURATION_BOUNDS_MS.length - 1];
}

/** Every writer's totals added up: type → status → tasks. One equality read of a few small documents. */
export async function readStatusTotals(model: Model<TaskStatsRecord>, timeoutMs: number): Promise<Map<string, Map<string, number>>> {
  const docs = (await model.collection.find({ b: TOTALS_BLOCK } as never, { maxTimeMS: timeoutMs }).toArray()) as unknown as StatusTotalsRecord[];
  const sums = new Map<string, Map<string, number>>();
  for (const doc of docs) {
    for (const [type, byStatus] of Object.entries(doc.c ?? {})) {
      const into = sums.get(type) ?? new Map<string, number>();
      sums.set(type, into);
      for (const [status, n] of Object.entries(byStatus)) into.set(status, (into.get(status) ?? 0) + (n ?? 0));
    }
  }
  return sums;
}
