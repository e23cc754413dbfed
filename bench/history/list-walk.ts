import mongoose from 'mongoose';
import { TaskList, emptyPageStats, nodeId, taskModels, type ListPageQuery, type PageStats } from '@taskyard/tasks';
import { round } from '../lib/rate';
import { printTable, writeResults, type Row } from '../lib/report';
import { median } from './api-probes';
import { FILL_OWNERS, FILL_TAG } from './fill';

// Usage: pnpm -s tsx bench/history/list-walk.ts --url=mongodb://127.0.0.1:27048/bench_history_1000000 [--samples=9]
// Times each list page as the gateway reads it (TaskList), with what it cost: round trips, reads, tasks
// read; a cold page (a new reader) and a warm one (the same reader again: kept nodes and bucket sizes).
// Reads a database filled by `bench/history/run.ts --keep` (its `bench_history_meta` gives the deep cursor).
const arg = (name: string): string | undefined => process.argv.find((a) => a.startsWith(`--${name}=`))?.split('=').slice(1).join('=');
const URL = arg('url') ?? 'mongodb://127.0.0.1:27048/bench_history_1000000';
const SAMPLES = Number(arg('samples') ?? 9);

const FILTERS: Record<string, Omit<ListPageQuery, 'limit'>> = {
  'user': { owner: FILL_OWNERS[0] },
  'user type': { owner: FILL_OWNERS[0], type: 'diagnostic' },
  'user status=succeeded': { owner: FILL_OWNERS[0], status: 'succeeded' },
  'user status=failed': { owner: FILL_OWNERS[0], status: 'failed' },
  'user tag': { owner: FILL_OWNERS[0], tag: FILL_TAG },
  'admin': {},
  'admin status=failed': { status: 'failed' },
  'admin tag': { tag: FILL_TAG },
  'admin owner': { owner: FILL_OWNERS[1] },
};

async function timed<T>(fn: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const started = performance.now();
  const value = await fn();
  return { ms: performance.now() - started, value };
}

async function main(): Promise<void> {
  const conn = await mongoose.createConnection(URL).asPromise();
  const models = taskModels(conn);
  const meta = await conn.collection<{ _id: string; sample: { middle: { createdAt: Date; id: string } } }>('bench_history_meta').findOne({ _id: 'fill' });
  const deep = meta ? { createdAt: new Date(meta.sample.middle.createdAt), id: meta.sample.middle.id } : undefined;
  // One round trip alone, for scale: a node's children and a one-second bucket, each by equality.
  const alone = async (fn: () => Promise<unknown>): Promise<number> => {
    const times: number[] = [];
    for (let i = 0; i < SAMPLES; i++) times.push((await timed(fn)).ms);
    return median(times);
  };
  const markMs = await alone(() => models.ListMark.find({ p: `u.${FILL_OWNERS[0]}@root` }, { n: 1 }).lean().exec());
  const bucketMs = await alone(() => models.Task.find({ lk: nodeId(`u.${FILL_OWNERS[0]}`, 0, 0) }).lean().exec());
  const rows: Row[] = [];
  for (const [name, filter] of Object.entries(FILTERS)) {
    for (const [page, after] of [['first', undefined], ['deep', deep]] as const) {
      if (page === 'deep' && !after) continue;
      const list = new TaskList(models.Task, models.ListMark, 30_000);
      const q = { ...filter, limit: 20, ...(after ? { after } : {}) };
      const coldStats = emptyPageStats();
      const cold = await timed(() => list.page(q, coldStats));
      const warm: { ms: number; stats: PageStats; items: number }[] = [];
      for (let i = 0; i < SAMPLES; i++) {
        const stats = emptyPageStats();
        const r = await timed(() => list.page(q, stats));
        warm.push({ ms: r.ms, stats, items: r.value.items.length });
      }
      const w = warm[warm.length - 1];
      rows.push({
        page: `${name} ${page}`,
        items: w.items,
        'cold ms': round(cold.ms, 1),
        'cold rounds': coldStats.rounds,
        'cold reads (marks+buckets)': `${coldStats.markReads}+${coldStats.bucketReads}`,
        'warm ms (median)': round(median(warm.map((x) => x.ms)), 1),
        'warm rounds': w.stats.rounds,
        'warm reads (marks+buckets)': `${w.stats.markReads}+${w.stats.bucketReads}`,
        'warm tasks read': w.stats.tasksRead,
      });
    }
  }
  printTable(`List pages through TaskList on ${URL} (one mark read alone ${round(markMs, 1)} ms, one bucket ${round(bucketMs, 1)} ms)`, rows);
  writeResults('list-walk', { url: URL, markReadMs: markMs, bucketReadMs: bucketMs, rows });
  await conn.close();
}

void main().catch((err: unknown) => {
  process.stderr.write(`${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});
