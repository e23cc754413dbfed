import { readFileSync } from 'node:fs';
import path from 'node:path';
import amqp from 'amqplib';
import { startRabbitCluster, type RabbitCluster } from '../src';
import { management } from '../src/rabbit-management';
import { deleteVhostQuietly } from '../src/vhost-teardown';

// A RabbitMQ node of this file's own: without the quiet teardown its dead-letter supervisor may die here.
let cluster: RabbitCluster;
let admin: string;

beforeAll(async () => {
  cluster = await startRabbitCluster(1);
  admin = cluster.nodes[0].managementUrl.replace('://', '://guest:guest@');
}, 180_000);
afterAll(() => cluster?.destroy(), 60_000);

/** Dead-letter workers that crashed so far, from the node's log (each crash is one supervisor report). */
function workerCrashes(): number {
  const log = readFileSync(path.join(cluster.state, 'rabbitmq', 'log', `${cluster.nodes[0].name}.log`), 'utf8');
  return log.match(/supervisor: \{local,rabbit_fifo_dlx_sup\}\n[^\n]*errorContext: child_terminated/g)?.length ?? 0;
}

/** What a service does on every (re)connect: declares its timer queues, here new ones until told to stop. */
async function declareUntil(vhostUrl: string, stop: { done: boolean }, id: number): Promise<void> {
  for (let i = 0; !stop.done; ) {
    const conn = await amqp.connect(vhostUrl).catch(() => undefined);
    if (!conn) {
      await new Promise((resolve) => setTimeout(resolve, 20));
      continue;
    }
    conn.on('error', () => undefined);
    try {
      const ch = await conn.createChannel();
      ch.on('error', () => undefined);
      for (; !stop.done; i++) {
        await ch.assertQueue(`timer-${id}-${i}`, {
          durable: true,
          arguments: {
            'x-queue-type': 'quorum',
            'x-message-ttl': 1000,
            'x-dead-letter-exchange': 'amq.fanout',
            'x-dead-letter-strategy': 'at-least-once',
            'x-overflow': 'reject-publish',
          },
        });
      }
    } catch {
      // The teardown closed the connection: reconnect, as a service does.
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }
}

test('a vhost deleted while 8 clients keep declaring dead-lettered quorum queues in it, 10 times: no dead-letter worker crashes', async () => {
  const before = workerCrashes();
  for (let round = 0; round < 10; round++) {
    const vhost = `teardown-${round}`;
    await management(admin, 'PUT', `/api/vhosts/${vhost}`);
    await management(admin, 'PUT', `/api/permissions/${vhost}/guest`, { configure: '.*', write: '.*', read: '.*' });
    const stop = { done: false };
    const clients = [0, 1, 2, 3, 4, 5, 6, 7].map((id) => declareUntil(`${cluster.nodes[0].amqpUrl}/${vhost}`, stop, id));
    await new Promise((resolve) => setTimeout(resolve, 400));
    await deleteVhostQuietly(admin, vhost);
    // The clients go on (and fail) a while after, as services do until they are stopped.
    await new Promise((resolve) => setTimeout(resolve, 300));
    stop.done = true;
    await Promise.all(clients);
  }
  expect(workerCrashes() - before).toBe(0);
  await expect(cluster.ctl(1, 'eval', 'is_pid(whereis(rabbit_fifo_dlx_sup)).')).resolves.toMatch(/^true/);
}, 240_000);
