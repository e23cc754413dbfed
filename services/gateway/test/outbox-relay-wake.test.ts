import amqp from 'amqplib';
import mongoose, { type Connection } from 'mongoose';
import { HEADER, queueName } from '@taskyard/contracts';
import { taskModels, type TaskModels } from '@taskyard/tasks';
import { waitFor } from '@taskyard/testing';
import { startHarness, type Harness } from './gateway-harness';

// The outbox relay backs off while it finds nothing (OutboxRelay): these prove what still reaches it.
let models: TaskModels;
const opened: { h: Harness; db: Connection }[] = [];

afterAll(async () => {
  for (const { h, db } of opened) {
    await db.close();
    await h.close();
  }
});

async function start(label: string, pace: { outboxIntervalMs: number; outboxIdleMaxMs: number }): Promise<Harness> {
  const h = await startHarness(label, pace);
  const db = await mongoose.createConnection(h.servers.mongoUrl).asPromise();
  opened.push({ h, db });
  models = taskModels(db);
  return h;
}

/** Submits a task (published at once: no worker takes it) and returns its id. */
async function submitted(h: Harness): Promise<string> {
  const answer = await h.api('POST', '/v1/tasks', { as: 'alice', json: { type: 'diagnostic', params: {} } });
  expect(answer.status).toBe(202);
  return String(answer.body.id);
}

/** The messages of the diagnostic queue, taken: task id and whether a relay republished it. */
async function drainQueue(h: Harness, expected: number): Promise<{ id: string; republished: boolean }[]> {
  const conn = await amqp.connect(h.servers.rabbitmqUrl);
  try {
    const ch = await conn.createChannel();
    const got: { id: string; republished: boolean }[] = [];
    await waitFor(`${expected} messages`, async () => {
      const msg = await ch.get(queueName('diagnostic'), { noAck: true });
      if (msg) got.push({ id: String(msg.properties.messageId), republished: msg.properties.headers?.[HEADER.republished] === true });
      return got.length === expected;
    });
    return got;
  } finally {
    await conn.close();
  }
}

test('a relay waiting out a long back-off is woken at once when the gateway keeps an entry due', async () => {
  // Rounds a minute apart at the least: a relay that finds the entry within 30 s was woken, not polling.
  const h = await start('gw-relay-wake', { outboxIntervalMs: 60_000, outboxIdleMaxMs: 600_000 });
  await waitFor('the first round (at start) to find nothing and back off', async () => h.gateway.relay.currentWaitMs === 120_000);
  const id = await submitted(h);
  // As a submit whose publish the broker did not confirm: an entry of its own, due now.
  await h.gateway.deps.submission.outbox.keepDue([id]);
  await waitFor('the relay to publish the task and drop its entry', async () => (await models.Outbox.countDocuments({ _id: id })) === 0, { timeoutMs: 30_000 });
  expect(await drainQueue(h, 2)).toEqual([
    { id, republished: false },
    { id, republished: true },
  ]);
  expect(h.gateway.relay.currentWaitMs).toBe(60_000); // it found work: back to its shortest interval
}, 120_000);

test('a backed-off relay still relays, within its longest wait, an entry no event announces (a killed process left it)', async () => {
  const h = await start('gw-relay-bound', { outboxIntervalMs: 250, outboxIdleMaxMs: 2000 });
  await waitFor('the relay to back off to its longest wait', async () => h.gateway.relay.currentWaitMs === 2000);
  const id = await submitted(h);
  await models.Outbox.collection.insertOne({ _id: id, createdAt: new Date(Date.now() - 60_000), relayAfter: new Date(Date.now() - 1000) } as never);
  await waitFor('the relay to publish the task and drop its entry', async () => (await models.Outbox.countDocuments({ _id: id })) === 0, { timeoutMs: 30_000 });
  expect(await drainQueue(h, 2)).toEqual([
    { id, republished: false },
    { id, republished: true },
  ]);
}, 120_000);
