import mongoose, { mongo } from 'mongoose';
import { ensureTaskIndexes, taskModels } from '@taskyard/tasks';
import { testServers } from '@taskyard/testing';
import { cpuBetween } from '../lifecycle/cpu-accounting';
import { round } from '../lib/rate';
import { printTable, type Row } from '../lib/report';
import { cpuByPart } from './parts';

/**
 * The status service's write, alone: a fold's conditional update of a task-like document as one `updateOne`
 * per task (several in flight) against one `update` command carrying several statements (one round trip).
 * CPU ms per document of FerretDB + PostgreSQL and of this client, one sitting, modes alternated. The collection has
 * the task model's indexes, the documents a no-op task's list keys (3 queued, 6 finished, as the status service writes them).
 *   tsx bench/peers/status-writes.ts [--docs=1280] [--rounds=2] [--modes=1x16,8x4,16x1,i8x4] [--lk=0] [--lean=1]
 * With BENCH_DB_STATE (see parts.ts) and the ports of a private database, only that database's CPU counts.
 */
const arg = (name: string): string | undefined => process.argv.find((a) => a.startsWith(`--${name}=`))?.split('=')[1];
const DOCS = Number(arg('docs') ?? 1280);
const ROUNDS = Number(arg('rounds') ?? 2);
/** `--lk=0` stores no list keys: what the `lk` GIN's entries cost each write (every update adds them all again). */
const WITH_LIST_KEYS = arg('lk') !== '0';
/**
 * `--lean=1` leaves out what a finished no-op task stores but does not need (empty logs and artifacts, progress 0 and
 * queuedAt = createdAt at the insert; heartbeatAt and a one-attempt `attempts` at its end): what a leaner stored task
 * would save per write.
 */
const LEAN = arg('lean') === '1';

function taskDoc(id: string): mongo.Document {
  const now = new Date();
  const base = { _id: id, type: 'diagnostic', owner: 'bench-user', title: 'diagnostic', params: { sleepMs: 0 }, status: 'queued', attempt: 0, maxAttempts: 3 };
  if (LEAN) return { ...base, priority: 'normal', createdAt: now, lk: listKeys('queued', now) };
  return { ...base, progress: 0, artifacts: [], logs: [], priority: 'normal', createdAt: now, queuedAt: now, lk: listKeys('queued', now) };
}

/** Three list keys per status, as a no-op task has (its owner's, the admin's, by status). */
function listKeys(status: string, at: Date): string[] {
  if (!WITH_LIST_KEYS) return [];
  const second = Math.floor(at.getTime() / 1000);
  return [`u.bench-user@0:${second}`, `*|s.${status}@0:${second}`, `u.bench-user|s.${status}@0:${second}`];
}

function change(id: string): { q: mongo.Document; u: mongo.Document } {
  const now = new Date();
  const set = {
    status: 'succeeded', attempt: 1, runId: `r-${id}`, lastSeq: 2, startedAt: now, finishedAt: now, durationMs: 1, progress: 100,
    expiresAt: new Date(now.getTime() + 86_400_000), result: { ok: true },
    lk: [...listKeys('succeeded', now), ...listKeys('diagnostic', now)],
  };
  const full = { heartbeatAt: now, attempts: [{ attempt: 1, workerId: 'w1', startedAt: now, finishedAt: now, status: 'succeeded' }] };
  return { q: { _id: id, status: 'queued', attempt: 0 }, u: { $set: LEAN ? set : { ...set, ...full } } };
}

/**
 * What a task's end would cost stored as a small document of its own (insert-only: the task's outcome beside it,
 * merged when read) instead of a rewrite of the task: mode `i<n>x<c>`, insert commands of n outcomes, c in flight.
 */
function outcome(id: string): mongo.Document {
  const now = new Date();
  return {
    _id: id, status: 'succeeded', attempt: 1, runId: `r-${id}`, startedAt: now, finishedAt: now, durationMs: 1,
    expiresAt: new Date(now.getTime() + 86_400_000), result: { ok: true }, lk: listKeys('succeeded', now),
  };
}

async function lanes<T>(items: T[], n: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: n }, async () => {
    while (next < items.length) await fn(items[next++]);
  }));
}

async function measure(coll: mongo.Collection, label: string, statements: number, concurrency: number, round_: number, outcomes?: mongo.Collection): Promise<Row> {
  const ids = Array.from({ length: DOCS }, (_, i) => `${label}-${round_}-${i}`);
  for (let i = 0; i < ids.length; i += 32) await coll.insertMany(ids.slice(i, i + 32).map(taskDoc), { ordered: false });
  const groups: string[][] = [];
  for (let i = 0; i < ids.length; i += statements) groups.push(ids.slice(i, i + statements));
  const cpu0 = cpuByPart();
  const own0 = process.cpuUsage();
  const t0 = performance.now();
  let matched = 0;
  await lanes(groups, concurrency, async (g) => {
    if (outcomes) {
      const res = await outcomes.db.command({ insert: outcomes.collectionName, documents: g.map(outcome), ordered: false });
      matched += Number(res.n);
    } else if (statements === 1) {
      const c = change(g[0]);
      const res = await coll.updateOne(c.q, c.u);
      matched += res.matchedCount;
    } else {
      const res = await coll.db.command({ update: coll.collectionName, updates: g.map(change), ordered: false });
      matched += Number(res.n);
    }
  });
  const seconds = (performance.now() - t0) / 1000;
  const used = cpuBetween(cpu0, cpuByPart());
  const own = process.cpuUsage(own0);
  const per = (s: number): number => round((1000 * s) / DOCS, 2);
  return {
    mode: outcomes ? `insert of ${statements} outcomes x${concurrency} in flight` : statements === 1 ? `updateOne x${concurrency} in flight` : `update of ${statements} x${concurrency} in flight`,
    round: round_,
    'docs/s': round(DOCS / seconds, 0),
    matched,
    'ferretdb ms/doc': per(used.get('ferretdb') ?? 0),
    'postgresql ms/doc': per(used.get('postgresql') ?? 0),
    'client ms/doc': per((own.user + own.system) / 1e6),
  };
}

async function main(): Promise<void> {
  const servers = await testServers('bench-status-writes');
  const client = await mongo.MongoClient.connect(servers.mongoUrl, { maxPoolSize: 64 });
  try {
    const conn = await mongoose.createConnection(servers.mongoUrl).asPromise();
    await ensureTaskIndexes(taskModels(conn));
    await conn.close();
    const coll = client.db().collection('tasks');
    const outcomes = client.db().collection('task_outcomes');
    await outcomes.createIndex({ lk: 1 });
    const modes = (arg('modes') ?? '1x16,8x4,16x1').split(',').map((m) => ({ insert: m.startsWith('i'), sc: m.replace(/^i/, '').split('x').map(Number) as [number, number] }));
    const rows: Row[] = [];
    for (let r = 1; r <= ROUNDS; r++) for (const { insert, sc: [s, c] } of modes) {
      rows.push(await measure(coll, `m${insert ? 'i' : ''}${s}c${c}`, s, c, r, insert ? outcomes : undefined));
      process.stderr.write(`${JSON.stringify(rows.at(-1))}\n`);
    }
    printTable(`status writes: ${DOCS} conditional updates per mode`, rows);
  } finally {
    await client.close();
    await servers.cleanup();
  }
}

void main();
