import mongoose, { type Connection } from 'mongoose';
import { testServers, startProcessStack, waitFor, type ProcessStack, type TestServers } from '@taskyard/testing';
import { measureCeilings, type Ceilings } from '../ceilings/measure';
import { printTable, writeResults, type Row } from '../lib/report';
import { round } from '../lib/rate';
import { diffWrites, readWriteCounts, totalWrites, type WriteCounts } from './db-write-counter';
import { TaskClient } from './task-client';
import { cpuPerTask, cpuSeconds } from './cpu-accounting';
import { openLoop } from './open-loop';
import { cannon } from './saturate';

// Many unfinished tasks per owner are legitimate here: the benchmark queues thousands at once.
const LIMITS = { diagnostic: { unfinishedPerOwner: 1_000_000, prefetch: 64 } };
const log = (line: string): void => void process.stderr.write(`${line}\n`);

async function inParallel(total: number, concurrency: number, fn: (i: number) => Promise<unknown>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (next < total) await fn(next++);
  }));
}

/** Tasks succeeded: a task's end is a document of its own (task-outcome.ts); one that ended before those, in the task. */
async function succeededCount(db: Connection): Promise<number> {
  const [inTasks, ends] = await Promise.all([db.collection('tasks').countDocuments({ status: 'succeeded' }), db.collection('task_outcomes').countDocuments({ status: 'succeeded' })]);
  return inTasks + ends;
}

async function waitForSucceeded(db: Connection, n: number, timeoutMs = 600_000): Promise<void> {
  await waitFor(`${n} tasks to succeed`, async () => (await succeededCount(db)) >= n, { timeoutMs, intervalMs: 200 });
}

/** Database writes per no-op task from submit to `succeeded`, every collection, counted by PostgreSQL. */
async function measureWritesPerTask(servers: TestServers, client: TaskClient, db: Connection, n: number) {
  const dbName = new URL(servers.mongoUrl).pathname.slice(1);
  await new Promise((r) => setTimeout(r, 12_000)); // earlier writes reach PostgreSQL's counters first
  const before = readWriteCounts(dbName);
  const base = await succeededCount(db);
  await inParallel(n, 8, () => client.submit('diagnostic', {}));
  await waitForSucceeded(db, base + n);
  await new Promise((r) => setTimeout(r, 12_000)); // PostgreSQL publishes an idle backend's counters within 10 s
  const after = readWriteCounts(dbName);
  if (!before || !after) return undefined;
  const diff: WriteCounts = diffWrites(before, after);
  return { tasks: n, perTask: round(totalWrites(diff) / n, 2), byCollection: diff };
}

/** End-to-end no-op tasks/s: from the first submit to the last `succeeded`. */
async function measureThroughput(client: TaskClient, db: Connection, n: number): Promise<{ tasks: number; seconds: number; perSecond: number }> {
  const base = await succeededCount(db);
  const started = performance.now();
  await inParallel(n, 32, () => client.submit('diagnostic', {}));
  await waitForSucceeded(db, base + n);
  const seconds = (performance.now() - started) / 1000;
  return { tasks: n, seconds: round(seconds, 2), perSecond: round(n / seconds, 1) };
}


async function main(): Promise<void> {
  const quick = process.argv.includes('--quick');
  const servers = await testServers('bench-lifecycle');
  let stack: ProcessStack | undefined;
  const db = await mongoose.createConnection(servers.mongoUrl).asPromise();
  try {
    log('ceilings (same run)');
    const ceilings: Ceilings = await measureCeilings({ servers, dbMs: quick ? 1500 : 3000, brokerMs: 1500, objects: { smallObjects: 100, largeObjects: 4 } });
    stack = await startProcessStack({ servers, workers: { diagnostic: 1 }, limits: LIMITS });
    const user = stack.keys.find((k) => k.role === 'user')!.key;
    const client = new TaskClient(stack.gatewayUrl, user);
    await inParallel(20, 4, () => client.submit('diagnostic', {})); // warm-up
    await waitForSucceeded(db, 20);

    log('writes per no-op task');
    const writes = await measureWritesPerTask(servers, client, db, quick ? 100 : 300);
    const n = quick ? 300 : 1000;
    log(`end-to-end throughput, 1 worker process (${n} tasks)`);
    const cpuBefore = cpuSeconds();
    const oneWorker = await measureThroughput(client, db, n);
    // Where the CPU went: with 2 cores shared by every part, this is what bounds tasks/s.
    const cpu = cpuPerTask(cpuBefore, cpuSeconds(), n);
    await stack.add('diagnostic');
    log(`end-to-end throughput, 2 worker processes (${n} tasks)`);
    const twoWorkers = await measureThroughput(client, db, n);

    // Submit alone: workers stopped, so the gateway and the database do nothing else.
    for (const p of stack.processes.filter((p) => p.name === 'diagnostic')) p.child.kill('SIGTERM');
    log('submit: highest sustained accepted rate (50 connections, 10 s)');
    const saturation = await cannon(stack.gatewayUrl, user, { connections: 50, duration: quick ? 5 : 10 });
    const sustained = round(saturation['2xx'] / (saturation.duration || 1), 1);
    log(`submit latency: 1,000 open connections offering ${Math.round(sustained / 2)}/s at a constant rate`);
    const latency = await openLoop({
      url: `${stack.gatewayUrl}/v1/tasks`,
      headers: { authorization: `Bearer ${user}`, 'content-type': 'application/json' },
      body: JSON.stringify({ type: 'diagnostic', params: {} }),
      ratePerSec: Math.max(1, Math.round(sustained / 2)),
      seconds: quick ? 5 : 10,
      connections: 1000,
    });

    const condUpdate16 = ceilings.database.conditionalUpdatesPerSec.c16.perSecond;
    const insert16 = ceilings.database.insertsPerSec.c16.perSecond;
    const perTask = writes?.perTask ?? 4;
    const e2eTarget = round((0.7 * condUpdate16) / perTask, 1);
    const result = {
      ceilings: { insertsPerSec16: insert16, conditionalUpdatesPerSec16: condUpdate16 },
      writesPerTask: writes,
      endToEnd: {
        oneWorker: { ...oneWorker, ratioToCeilingPerTask: round(oneWorker.perSecond / (condUpdate16 / perTask), 2) },
        twoWorkers: { ...twoWorkers, ratioToCeilingPerTask: round(twoWorkers.perSecond / (condUpdate16 / perTask), 2) },
        target: e2eTarget,
        cpuMsPerTaskOneWorker: cpu,
      },
      submit: {
        sustainedAcceptedPerSec: sustained,
        non2xx: saturation.non2xx,
        ratioToInsertCeiling: round(sustained / insert16, 2),
        latencyAtHalfRate: { connections: 1000, generator: 'open loop, constant rate', ...latency },
      },
    };
    const rows: Row[] = [
      { measure: 'db writes per no-op task', value: perTask, target: '<= 4' },
      ...Object.entries(writes?.byCollection ?? {}).map(([c, w]) => ({
        measure: `  ${c}: inserts/updates/deletes per task`,
        value: `${round(w.inserts / writes!.tasks, 2)} / ${round(w.updates / writes!.tasks, 2)} / ${round(w.deletes / writes!.tasks, 2)}`,
        target: '',
      })),
      { measure: 'e2e tasks/s, 1 worker', value: oneWorker.perSecond, target: `>= ${e2eTarget}` },
      { measure: 'e2e tasks/s, 2 workers', value: twoWorkers.perSecond, target: `>= ${e2eTarget}` },
      ...cpu.map((c) => ({ measure: `  CPU ms per task (1 worker): ${c.part}`, value: c.msPerTask, target: '' })),
      { measure: 'submit accepted/s (50 conns)', value: sustained, target: `>= ${round(0.4 * insert16, 1)} (40% of ${insert16})` },
      { measure: 'submit p50 ms @1000 conns, half rate', value: latency.p50ms, target: '' },
      { measure: 'submit p99 ms @1000 conns, half rate', value: latency.p99ms, target: '<= 100' },
      { measure: 'submit p99.9 ms @1000 conns, half rate', value: latency.p999ms, target: '' },
      { measure: 'ceiling: inserts/s (16 clients)', value: insert16, target: '' },
      { measure: 'ceiling: conditional updates/s (16 clients)', value: condUpdate16, target: '' },
    ];
    printTable('Task lifecycle benchmark', rows);
    writeResults('lifecycle', result);
    process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
  } finally {
    await stack?.stop(5000);
    await db.close();
    await servers.cleanup();
  }
}

void main().catch((err: unknown) => {
  process.stderr.write(`${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});
