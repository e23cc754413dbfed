import type { Model } from 'mongoose';
import type { OverviewFailure, OverviewLatency, OverviewQueue, OverviewView, OverviewWindow } from '@taskyard/contracts';
import {
  ALL_SCOPE,
  GRANULARITY,
  addCounts,
  blockEndMs,
  blockKey,
  fieldName,
  ownerScope,
  quantileMs,
  statsWindow,
  type Granularity,
  type TaskStatsRecord,
  type TypeCounts,
} from '@taskyard/tasks';
import { queueFigures } from './queue-figures';
import type { RabbitManagement } from './rabbit-management';

/** A block is final (cached for good) this long after its last period ended: the status service has flushed it. */
export const FINAL_GRACE_MS = 60_000;
/** Final blocks kept in memory (a day of minutes and hours for a few hundred scopes). */
export const MAX_CACHED_BLOCKS = 2000;
/** Queue figures are reused this long: every overview view would otherwise ask the management API. */
export const QUEUE_CACHE_MS = 5000;
export const TOP_FAILURES = 10;
const HOUR_POINTS = 60;
const DAY_POINTS = 24;

export interface OverviewConfig {
  types: () => string[];
  management?: RabbitManagement;
  timeoutMs: number;
}

/**
 * The overview (GET /v1/overview) from the counters the status service folds (task_stats): a few
 * equality reads of block documents per view, never a read of tasks. Blocks that can no longer change
 * are kept in memory, so a live page re-reads only the current block of each window.
 */
export class TaskOverview {
  private readonly blocks = new Map<string, TaskStatsRecord[]>();
  private queues?: { at: number; figures: Promise<OverviewQueue[] | undefined> };

  constructor(
    private readonly model: Model<TaskStatsRecord>,
    private readonly cfg: OverviewConfig,
  ) {}

  /** Everyone's figures (`owner` undefined: an admin) or one owner's. */
  async view(owner: string | undefined, nowMs = Date.now()): Promise<OverviewView> {
    const scope = owner === undefined ? ALL_SCOPE : ownerScope(owner);
    const types = this.cfg.types();
    const [hourDocs, dayDocs, queues] = await Promise.all([
      this.periods('m', scope, nowMs, HOUR_POINTS),
      this.periods('h', scope, nowMs, DAY_POINTS),
      this.queueFigures(),
    ]);
    return {
      scope: owner === undefined ? 'all' : 'own',
      generatedAt: new Date(nowMs).toISOString(),
      hour: windowOf('m', hourDocs, types),
      day: windowOf('h', dayDocs, types),
      latency: latencyOf(hourDocs.docs, types),
      failures: failuresOf(dayDocs.docs, types),
      ...(queues ? { queues } : {}),
    };
  }

  /** The documents of the last `points` periods (and the first period), read block by block. */
  private async periods(g: Granularity, scope: string, nowMs: number, points: number): Promise<{ first: number; points: number; docs: TaskStatsRecord[] }> {
    const { first, last, blocks } = statsWindow(g, nowMs, points);
    const docs = (await Promise.all(blocks.map((b) => this.block(g, b, scope, nowMs)))).flat();
    return { first, points, docs: docs.filter((d) => d.p >= first && d.p <= last) };
  }

  private async block(g: Granularity, block: number, scope: string, nowMs: number): Promise<TaskStatsRecord[]> {
    const key = blockKey(g, block, scope);
    const hit = this.blocks.get(key);
    if (hit) return hit;
    const docs = (await this.model.collection.find({ b: key } as never, { maxTimeMS: this.cfg.timeoutMs }).toArray()) as unknown as TaskStatsRecord[];
    if (nowMs > blockEndMs(g, block) + FINAL_GRACE_MS) this.keep(key, docs);
    return docs;
  }

  private keep(key: string, docs: TaskStatsRecord[]): void {
    if (this.blocks.size >= MAX_CACHED_BLOCKS) this.blocks.delete(this.blocks.keys().next().value!);
    this.blocks.set(key, docs);
  }

  /** Depth and consumers per type; undefined without a management API (or when it does not answer). */
  private queueFigures(): Promise<OverviewQueue[] | undefined> {
    const management = this.cfg.management;
    if (!management) return Promise.resolve(undefined);
    if (!this.queues || Date.now() - this.queues.at > QUEUE_CACHE_MS) {
      const figures = management.queues().then(
        (stats) => queueFigures(this.cfg.types(), stats).map(({ type, ready, unacked, consumers }) => ({ type, ready, unacked, consumers })),
        () => undefined,
      );
      this.queues = { at: Date.now(), figures };
    }
    return this.queues.figures;
  }
}

/** Each type's counts summed over the writers' documents, per period of the window. */
function windowOf(g: Granularity, periods: { first: number; points: number; docs: TaskStatsRecord[] }, types: string[]): OverviewWindow {
  const zeros = (): number[] => new Array<number>(periods.points).fill(0);
  const series = types.map((type) => ({ type, started: zeros(), succeeded: zeros(), failed: zeros() }));
  for (const doc of periods.docs) {
    const i = doc.p - periods.first;
    for (const s of series) {
      const c = doc.t?.[fieldName(s.type)];
      if (!c) continue;
      s.started[i] += c.started ?? 0;
      s.succeeded[i] += c.succeeded ?? 0;
      s.failed[i] += c.failed ?? 0;
    }
  }
  const { periodMs } = GRANULARITY[g];
  return { stepSeconds: periodMs / 1000, from: new Date(periods.first * periodMs).toISOString(), points: periods.points, series };
}

function sumByType(docs: TaskStatsRecord[], types: string[]): Map<string, TypeCounts> {
  const sums = new Map<string, TypeCounts>();
  for (const type of types) {
    const sum: TypeCounts = {};
    for (const doc of docs) {
      const c = doc.t?.[fieldName(type)];
      if (c) addCounts(sum, c);
    }
    sums.set(type, sum);
  }
  return sums;
}

function latencyOf(docs: TaskStatsRecord[], types: string[]): OverviewLatency[] {
  return [...sumByType(docs, types)].map(([type, c]) => ({
    type,
    started: c.started ?? 0,
    ...defined({ waitP50Ms: quantileMs(c.wait, 0.5), waitP95Ms: quantileMs(c.wait, 0.95), runP50Ms: quantileMs(c.run, 0.5), runP95Ms: quantileMs(c.run, 0.95) }),
  }));
}

function failuresOf(docs: TaskStatsRecord[], types: string[]): OverviewFailure[] {
  const all: OverviewFailure[] = [];
  for (const [type, c] of sumByType(docs, types)) {
    for (const [code, count] of Object.entries(c.reasons ?? {})) all.push({ type, code, count, ...(c.sample?.[code] ? { message: c.sample[code] } : {}) });
  }
  return all.sort((a, b) => b.count - a.count || a.type.localeCompare(b.type) || a.code.localeCompare(b.code)).slice(0, TOP_FAILURES);
}

function defined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
