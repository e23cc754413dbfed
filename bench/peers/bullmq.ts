import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Queue } from 'bullmq';
import { freePort, waitFor } from '@taskyard/testing';
import { inParallel, measureEndToEnd, type EndToEnd } from './end-to-end';
import { startChild, stopChild } from './child-process';
import { ownProcess } from './parts';

const HERE = resolve(__dirname);
const REPO = resolve(__dirname, '../..');

/** BullMQ on a Redis of its own (Debian's redis-server, AOF fsync every second), one worker process of concurrency 16. */
export async function measureBullmq(opts: { tasks: number; warmUp: number; log: (line: string) => void }): Promise<EndToEnd> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'peers-redis-'));
  const redis = startChild('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--appendonly', 'yes', '--appendfsync', 'everysec', '--save', ''], {
    cwd: dir,
    env: {},
  });
  ownProcess(redis.pid, 'redis', 'bullmq');
  const connection = { host: '127.0.0.1', port };
  let worker: ReturnType<typeof startChild> | undefined;
  let queue: Queue | undefined;
  try {
    await waitFor('redis', async () => {
      const q = new Queue('probe', { connection: { ...connection, maxRetriesPerRequest: 1, retryStrategy: () => null } });
      try {
        await q.waitUntilReady();
        return true;
      } catch {
        return false;
      } finally {
        await q.close().catch(() => undefined);
      }
    }, { timeoutMs: 30_000, intervalMs: 200 });
    queue = new Queue('peers-bullmq', { connection });
    worker = startChild(process.execPath, ['--import', 'tsx', join(HERE, 'bullmq-worker.ts')], { cwd: REPO, env: { PEERS_REDIS_PORT: String(port) } });
    ownProcess(worker.pid, 'worker', 'bullmq');
    const completed = async (): Promise<number> => (await queue!.getJobCounts('completed')).completed ?? 0;
    await inParallel(opts.warmUp, 8, () => queue!.add('noop', {}));
    await waitFor('bullmq warm-up', async () => (await completed()) >= opts.warmUp, { timeoutMs: 300_000, intervalMs: 200 });
    opts.log(`bullmq: ${opts.tasks} no-op jobs end to end`);
    return await measureEndToEnd({
      tasks: opts.tasks,
      system: 'bullmq',
      send: () => inParallel(opts.tasks, 32, () => queue!.add('noop', {})),
      finished: completed,
    });
  } finally {
    await queue?.close().catch(() => undefined);
    if (worker) await stopChild(worker);
    await stopChild(redis);
    rmSync(dir, { recursive: true, force: true });
  }
}
