import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ConsumeMessage } from 'amqplib';
import type { TaskEvent } from '@taskyard/contracts';
import { createLogger } from '@taskyard/logging';
import { BrokerConnection, ConfirmPublisher } from '@taskyard/messaging';
import { ObjectStore } from '@taskyard/storage';
import { ListMarks, Outbox, PendingPrunes, taskStatsModel } from '@taskyard/tasks';
import { waitFor } from '@taskyard/testing';
import { workflowModels } from '@taskyard/workflows';
import { foldBatch, type FolderDeps } from '../src/event-folder';
import { StatusMetrics } from '../src/status-metrics';
import { TaskStatsRecorder } from '../src/task-stats-recorder';
import { startHarness, type Harness } from './lifecycle-harness';

// Issue 12's leftover: a callback was lost when the status service stopped (or queuing it failed) between
// the terminal write and the queuing. Here the folds run in the test, on the real servers, and the
// harness's status service delivers what they queue.
const posts: string[] = [];
let server: Server;
let base: string;
let h: Harness;
let broker: BrokerConnection;
let deps: FolderDeps;
let store: ObjectStore;

beforeAll(async () => {
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      posts.push(body);
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  h = await startHarness('callback-once', {}, { partitions: 1, status: { callbackAllowedHosts: ['127.0.0.1'], callbackBackoffMs: [1000] } });
  const logger = createLogger('test');
  broker = new BrokerConnection(h.servers.rabbitmqUrl, logger, 'test-folder');
  // No republishing: a refused publish fails at once, as it does after a status service's failover window.
  const publisher = new ConfirmPublisher(broker, logger);
  await publisher.start();
  await broker.start();
  store = new ObjectStore(h.servers.s3);
  deps = {
    models: h.models, publisher, logger, metrics: new StatusMetrics(), stats: new TaskStatsRecorder(taskStatsModel(h.db), logger), store,
    marks: new ListMarks(h.models.ListMark), prunes: new PendingPrunes(), jobTypes: h.types, workflowModels: workflowModels(h.db), outbox: new Outbox(h.models.Outbox),
  };
});
afterAll(async () => {
  await deps?.publisher.close();
  await broker?.close();
  store?.close();
  await h?.close();
  server?.closeAllConnections();
  await new Promise((r) => server?.close(r));
});

/** A queued task with a callback URL, and the event that ends it as its partition would deliver it. */
async function cancellable(): Promise<{ id: string; delivery: (redelivered: boolean) => ConsumeMessage }> {
  const id = await h.submit('spelling-report', {});
  await h.models.Task.collection.updateOne({ _id: id } as never, { $set: { callbackUrl: `${base}/hook` } });
  const event: TaskEvent = { kind: 'cancel-requested', taskId: id, type: 'spelling-report', requestedBy: 'owner-1', at: new Date().toISOString() };
  const delivery = (redelivered: boolean) => ({ content: Buffer.from(JSON.stringify(event)), fields: { redelivered }, properties: {} }) as unknown as ConsumeMessage;
  return { id, delivery };
}

const postsFor = (id: string): number => posts.filter((b) => JSON.parse(b).id === id).length;

test('queuing a callback that fails after the terminal write fails the batch; its redelivery queues it: delivered once', async () => {
  const { id, delivery } = await cancellable();
  // The fold's only publish is the callback (its list's prune timer counts as armed already), on a publisher
  // without a channel, as when the broker connection is lost: the publish fails after the write.
  const t = await h.task(id);
  deps.prunes.claim({ owner: t.owner, type: t.type, tag: t.tag, createdAt: t.createdAt, parentId: t.parentId }, 'queued');
  const away = new ConfirmPublisher(broker, createLogger('test'));
  await expect(foldBatch({ ...deps, publisher: away }, [delivery(false)])).rejects.toThrow(/unavailable/);
  expect((await h.task(id)).status).toBe('cancelled');
  expect(postsFor(id)).toBe(0);
  await foldBatch(deps, [delivery(true)]);
  await waitFor('the callback', async () => postsFor(id) === 1);
  expect(JSON.parse(posts.find((b) => JSON.parse(b).id === id)!)).toMatchObject({ id, status: 'cancelled' });
  expect((await h.task(id)).status).toBe('cancelled');
});

test('a status service stopped after the terminal write: the redelivered event sends the callback; more repeats send nothing more', async () => {
  const { id, delivery } = await cancellable();
  // What a status service that stopped right after its write leaves: the task cancelled, no callback queued.
  await h.models.Task.collection.updateOne({ _id: id } as never, { $set: { status: 'cancelled', finishedAt: new Date(), cancelRequestedAt: new Date() } });
  await foldBatch(deps, [delivery(true)]);
  await waitFor('the callback', async () => postsFor(id) === 1);
  const duplicates = async (): Promise<number> => (await h.status[0].metrics.callbackDeliveries.get()).values.find((v) => v.labels.outcome === 'duplicate')?.value ?? 0;
  const before = await duplicates();
  await foldBatch(deps, [delivery(true)]);
  await foldBatch(deps, [delivery(true)]);
  await waitFor('both repeats to be turned away by the delivery', async () => (await duplicates()) === before + 2);
  expect(postsFor(id)).toBe(1);
  const record = await h.models.CallbackDelivery.findById(id).lean();
  expect(record).toMatchObject({ state: 'delivered', attempts: [expect.objectContaining({ status: 204 })] });
});
