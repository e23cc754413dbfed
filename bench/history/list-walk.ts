import mongoose, { type Connection } from 'mongoose';
import { TaskList, emptyPageStats, taskModels, type ListPageQuery, type PageStats, type TaskModels } from '@taskyard/tasks';
import { round } from '../lib/rate';
import { printTable, writeResults, type Row } from '../lib/report';
import { median, rotation } from './api-probes';
import { FILL_OWNERS, WORKING_SET, fillHistory } from './fill';
import { LIST_READERS } from './list-filters';

// Usage: pnpm -s bench:list-walk [--sizes=0,100000,1000000] [--base=mongodb://127.0.0.1:27048/bench_history_] [--samples=9] [--fresh=48]
//        pnpm -s bench:list-walk --url=mongodb://127.0.0.1:27048/bench_history_1000000
// Reads every list page bench/history's probes read (user and admin, each filter, first and deep page) as the
// gateway reads them (TaskList), on each size's kept database, with what each page cost: round trips, mark
// reads, the head's marks, bucket reads, tasks read. A cold page (a new reader), then warm ones (the same
// reader again: kept nodes and buckets), their samples taken on the sizes in turn (as bench/history
// --interleave does) so a swing of the machine's load falls on every size alike. A count that differs
// between sizes is work that grows with the history; a time alone is the machine's.
const arg = (name: string): string | undefined => process.argv.find((a) => a.startsWith(`--${name}=`))?.split('=').slice(1).join('=');
const BASE = arg('base') ?? 'mongodb://127.0.0.1:27048/bench_history_';
const URLS = arg('url') ? [arg('url')!] : (arg('sizes') ?? '0,100000,1000000').split(',').map((size) => `${BASE}${size}`);
const SAMPLES = Number(arg('samples') ?? 9);
/**
 * Stores this many finished tasks of the last seconds in every database first (the history's mix, heads written
 * as the gateway writes them): their buckets are not settled, so every warm page reads them afresh, as the
 * API probes' first pages read the tasks the submit probes just made.
 */
const FRESH = Number(arg('fresh') ?? 0);
const FRESH_STEP_MS = 100;

interface Db {
  url: string;
  conn: Connection;
  models: TaskModels;
  /** The deep page's position: the one the probes of the last bench/history run used, else the fill's middle. */
  deep?: { createdAt: Date; id: string };
}

type Position = { createdAt: Date; id: string };
type Meta = { _id: string; middle?: Position; sample?: { middle?: Position } };

async function openDb(url: string): Promise<Db> {
  const conn = await mongoose.createConnection(url).asPromise();
  const meta = conn.collection<Meta>('bench_history_meta');
  const [probes, fill] = await Promise.all([meta.findOne({ _id: 'probes' }), meta.findOne({ _id: 'fill' })]);
  const at = probes?.middle ?? fill?.sample?.middle;
  return { url, conn, models: taskModels(conn), ...(at ? { deep: { createdAt: new Date(at.createdAt), id: at.id } } : {}) };
}

async function timed<T>(fn: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const started = performance.now();
  const value = await fn();
  return { ms: performance.now() - started, value };
}

/** One page's counts in a cell: rounds, mark reads (of them the head's marks), bucket reads, tasks read. */
const counts = (s: PageStats): string => `r${s.rounds} m${s.markReads} h${s.headMarks} b${s.bucketReads} t${s.tasksRead}`;

interface PageRun {
  cold: { ms: number; stats: PageStats };
  warm: { ms: number; stats: PageStats; items: number }[];
}

/** A page read cold by a new reader on every database, then `SAMPLES` times warm, the databases in turn. */
async function walkPage(dbs: Db[], query: (db: Db) => ListPageQuery | undefined): Promise<(PageRun | undefined)[]> {
  const lists = dbs.map((db) => new TaskList(db.models.Task, db.models.ListMark, 30_000));
  const runs: (PageRun | undefined)[] = [];
  for (const [k, db] of dbs.entries()) {
    const q = query(db);
    if (!q) {
      runs.push(undefined);
      continue;
    }
    const stats = emptyPageStats();
    const r = await timed(() => lists[k].page(q, stats));
    runs.push({ cold: { ms: r.ms, stats }, warm: [] });
  }
  for (let i = 0; i < SAMPLES; i++) {
    for (const k of rotation(dbs.length, i)) {
      const q = query(dbs[k]);
      if (!q) continue;
      const stats = emptyPageStats();
      const r = await timed(() => lists[k].page(q, stats));
      runs[k]!.warm.push({ ms: r.ms, stats, items: r.value.items.length });
    }
  }
  // Background prunes a page asked for (a head over HEAD_MAX, an open list's stale marks) finish before the next page.
  await Promise.all(lists.map((l) => l.healer.idle()));
  return runs;
}

async function main(): Promise<void> {
  const dbs = await Promise.all(URLS.map(openDb));
  if (FRESH) await Promise.all(dbs.map((db) => fillHistory(db.models, { from: 0, count: FRESH, newestMs: Date.now(), stepMs: FRESH_STEP_MS, heads: true })));
  const name = (db: Db): string => db.url.slice(db.url.lastIndexOf('/') + 1);
  const countRows: Row[] = [];
  const timeRows: Row[] = [];
  for (const [who, filters] of LIST_READERS) {
    for (const [filterName, filter] of Object.entries(filters)) {
      for (const page of ['first', 'deep'] as const) {
        const query = (db: Db): ListPageQuery | undefined => {
          if (page === 'deep' && !db.deep) return undefined;
          return { ...(who === 'user' ? { owner: FILL_OWNERS[0] } : {}), ...filter, limit: 20, ...(page === 'deep' ? { after: db.deep } : {}) };
        };
        const runs = await walkPage(dbs, query);
        const label = `${who} ${filterName} ${page}`;
        const last = (r: PageRun): PageRun['warm'][number] => r.warm[r.warm.length - 1];
        countRows.push({
          page: label,
          ...Object.fromEntries(dbs.flatMap((db, k) => {
            const r = runs[k];
            return r ? [[`${name(db)} items`, last(r).items], [`${name(db)} cold`, counts(r.cold.stats)], [`${name(db)} warm`, counts(last(r).stats)]] : [];
          })),
        });
        const medians = runs.map((r) => (r ? round(median(r.warm.map((w) => w.ms)), 1) : Number.NaN));
        timeRows.push({
          page: label,
          ...Object.fromEntries(dbs.flatMap((db, k) => (runs[k] ? [[`${name(db)} cold ms`, round(runs[k]!.cold.ms, 1)], [`${name(db)} warm ms`, medians[k]]] : []))),
          ...(dbs.length > 1 && Number.isFinite(medians[0]) ? { 'warm last/first': `${round(medians[medians.length - 1] / medians[0], 2)}x` } : {}),
        });
      }
    }
  }
  printTable(`List pages through TaskList: counts (r rounds, m mark reads, h head marks, b bucket reads, t tasks read); working set ${WORKING_SET}`, countRows);
  printTable(`List pages through TaskList: ms (cold: a new reader; warm: median of ${SAMPLES}, sizes in turn)`, timeRows);
  writeResults('list-walk', { urls: URLS, samples: SAMPLES, counts: countRows, times: timeRows });
  await Promise.all(dbs.map((db) => db.conn.close()));
}

void main().catch((err: unknown) => {
  process.stderr.write(`${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});
