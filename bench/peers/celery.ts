import { resolve } from 'node:path';
import mongoose from 'mongoose';
import { freePort, waitFor, type TestServers } from '@taskyard/testing';
import { measureEndToEnd, type EndToEnd } from './end-to-end';
import { startChild, startReadyChild, stopChild } from './child-process';
import { getText } from './http-text';
import { ownProcess } from './parts';

const HERE = resolve(__dirname);
const RESULTS = 'celery_taskmeta';

/** A running Celery worker: each round measures `tasks` no-op tasks end to end. */
export interface CeleryPeer {
  round(tasks: number): Promise<EndToEnd>;
  stop(): Promise<void>;
}

export interface CeleryOptions {
  servers: TestServers;
  python: string;
  /** Tasks run once the worker is up, before any round (`--warm`). */
  warmUp: number;
  /** Tasks run at the start of each round, after its results' collection was dropped. */
  roundWarmUp: number;
  log: (line: string) => void;
}

/**
 * Celery 5 with the settings: threads pool, concurrency 16, acks_late, results in MongoDB (the same
 * FerretDB, the same run's database), on the same RabbitMQ (the same vhost). One client sends the tasks.
 */
export async function startCelery(opts: CeleryOptions): Promise<CeleryPeer> {
  const { servers } = opts;
  const database = new URL(servers.mongoUrl).pathname.slice(1);
  const counterPort = await freePort();
  const env = { PEERS_BROKER_URL: servers.rabbitmqUrl, PEERS_BACKEND_URL: servers.mongoUrl, PEERS_DATABASE: database, PEERS_QUEUE: 'peers-celery', PEERS_COUNTER_PORT: String(counterPort) };
  const db = await mongoose.createConnection(servers.mongoUrl).asPromise();
  const worker = startChild(opts.python, ['-m', 'celery', '-A', 'celery_app', 'worker', '--pool', 'threads', '--concurrency', '16', '--loglevel', 'WARNING'], { cwd: HERE, env });
  ownProcess(worker.pid, 'worker', 'celery');
  // The worker's own count of stored results (celery_app.py), as the status service's counter is Taskyard's.
  const finished = async (): Promise<number> => Number((await getText(`http://127.0.0.1:${counterPort}/`)).text);
  const client = (tasks: number): Promise<{ pid: number | undefined; go(): Promise<string> }> => startReadyChild(opts.python, ['celery_load.py', String(tasks)], { cwd: HERE, env });
  const runTasks = async (tasks: number): Promise<void> => {
    const base = await finished();
    await (await client(tasks)).go();
    await waitFor('celery warm-up', async () => (await finished()) >= base + tasks, { timeoutMs: 300_000, intervalMs: 200 });
  };
  try {
    await waitFor('celery worker', () => finished().then(() => true, () => false), { timeoutMs: 120_000, intervalMs: 200 });
    await runTasks(opts.warmUp);
  } catch (err) {
    await stopChild(worker);
    await db.close();
    throw err;
  }
  return {
    async round(tasks) {
      // Each round starts from an empty results collection: neither system pays for the other's rounds or its own.
      await db.collection(RESULTS).drop().catch(() => undefined);
      await runTasks(opts.roundWarmUp);
      const sender = await client(tasks);
      opts.log(`celery: ${tasks} no-op tasks end to end`);
      const e = await measureEndToEnd({
        tasks,
        database,
        system: 'celery',
        collections: (c) => c === RESULTS,
        // The client exits before the run is read: it reports its own CPU time over its sends.
        send: async () => {
          const out = await sender.go();
          return { 'load generator': (JSON.parse(out.trim().split('\n').pop()!) as { cpuSeconds: number }).cpuSeconds };
        },
        finished,
      });
      const stored = await db.collection(RESULTS).countDocuments({ status: 'SUCCESS' });
      if (stored !== opts.roundWarmUp + tasks) throw new Error(`celery: ${stored} results stored, ${opts.roundWarmUp + tasks} counted`);
      return e;
    },
    async stop() {
      await stopChild(worker);
      await db.close();
    },
  };
}
