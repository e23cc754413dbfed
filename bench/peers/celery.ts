import { resolve } from 'node:path';
import mongoose from 'mongoose';
import { waitFor, type TestServers } from '@taskyard/testing';
import { measureEndToEnd, type EndToEnd } from './end-to-end';
import { runToEnd, startChild, stopChild } from './child-process';
import { ownProcess } from './parts';

const HERE = resolve(__dirname);

/**
 * Celery 5 with the settings: threads pool, concurrency 16, acks_late, results in MongoDB (the same
 * FerretDB, the same run's database), on the same RabbitMQ (the same vhost). One client sends the tasks.
 */
export async function measureCelery(opts: { servers: TestServers; python: string; tasks: number; warmUp: number; log: (line: string) => void }): Promise<EndToEnd> {
  const { servers } = opts;
  const database = new URL(servers.mongoUrl).pathname.slice(1);
  const env = { PEERS_BROKER_URL: servers.rabbitmqUrl, PEERS_BACKEND_URL: servers.mongoUrl, PEERS_DATABASE: database, PEERS_QUEUE: 'peers-celery' };
  const db = await mongoose.createConnection(servers.mongoUrl).asPromise();
  const results = db.collection('celery_taskmeta');
  const worker = startChild(opts.python, ['-m', 'celery', '-A', 'celery_app', 'worker', '--pool', 'threads', '--concurrency', '16', '--loglevel', 'WARNING'], { cwd: HERE, env });
  ownProcess(worker.pid, 'worker');
  try {
    // The warm-up also tells us the worker is up: its results arrive.
    await runToEnd(opts.python, ['celery_load.py', String(opts.warmUp)], { cwd: HERE, env });
    await waitFor('celery warm-up', async () => (await results.countDocuments({})) >= opts.warmUp, { timeoutMs: 300_000, intervalMs: 200 });
    opts.log(`celery: ${opts.tasks} no-op tasks end to end`);
    return await measureEndToEnd({
      tasks: opts.tasks,
      database,
      // The client exits before the run is read: it reports its own CPU time.
      send: async () => {
        const out = await runToEnd(opts.python, ['celery_load.py', String(opts.tasks)], { cwd: HERE, env });
        return { 'load generator': (JSON.parse(out.trim().split('\n').pop()!) as { cpuSeconds: number }).cpuSeconds };
      },
      finished: () => results.countDocuments({ status: 'SUCCESS' }),
    });
  } finally {
    await stopChild(worker);
    await db.close();
  }
}
