import amqp from 'amqplib';
import mongoose from 'mongoose';
import { jobTypes, queueName } from '@taskyard/contracts';
import { taskModels } from '@taskyard/tasks';
import { startHarness, type Harness } from './gateway-harness';

let h: Harness;
beforeAll(async () => {
  h = await startHarness('gw-shutdown', { jobTypes: jobTypes({ enableDiagnostic: true, limitOverrides: { diagnostic: { unfinishedPerOwner: 100 } } }) });
});
afterAll(() => h?.servers.cleanup());

test('closing during a burst of submits leaves every task with its slot, and published or in the outbox', async () => {
  const submits = Array.from({ length: 40 }, () => h.api('POST', '/v1/tasks', { as: 'alice', json: { type: 'diagnostic', params: {} } }).catch(() => undefined));
  // Close as soon as the first answer is back: the others are then somewhere inside the submit path, and
  // the first one's publish (which the 202 does not wait for) is likely still under way.
  const first = await Promise.race(submits);
  await h.gateway.close();
  const answers = await Promise.all(submits);
  const accepted = answers.filter((a) => a?.status === 202).map((a) => String(a?.body.id));
  expect(first?.status).toBe(202);

  const db = await mongoose.createConnection(h.servers.mongoUrl).asPromise();
  const { Task, Slot, Outbox } = taskModels(db);
  const tasks = await Task.find({}, { _id: 1, slotId: 1 }).lean();
  const slots = await Slot.find({}).lean();
  const entries = await Outbox.find({}).lean();
  const outbox = entries.length;
  await db.close();
  const conn = await amqp.connect(h.servers.rabbitmqUrl);
  const ch = await conn.createChannel();
  const published = (await ch.checkQueue(queueName('diagnostic'))).messageCount;
  const messageIds = new Set<string>();
  for (let msg = await ch.get(queueName('diagnostic'), { noAck: true }); msg; msg = await ch.get(queueName('diagnostic'), { noAck: true })) {
    messageIds.add(String(msg.properties.messageId));
  }
  await conn.close();

  // Every task answered 202 before or during the stop was published, or is named by an entry a relay will
  // publish: the stop waited for the publishes the answers did not.
  const entered = new Set(entries.flatMap((e) => e.taskIds ?? [e._id]));
  expect(accepted.filter((id) => !messageIds.has(id) && !entered.has(id))).toEqual([]);
  expect(accepted.length).toBeGreaterThan(0);

  expect(tasks.length).toBeGreaterThan(1);
  expect(slots.map((s) => s.taskId).sort()).toEqual(tasks.map((t) => t._id).sort());
  expect(published + outbox).toBe(tasks.length);
});
