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
  // Close as soon as the first answer is back: the others are then somewhere inside the submit path.
  await Promise.race(submits);
  await h.gateway.close();
  await Promise.all(submits);

  const db = await mongoose.createConnection(h.servers.mongoUrl).asPromise();
  const { Task, Slot, Outbox } = taskModels(db);
  const tasks = await Task.find({}, { _id: 1, slotId: 1 }).lean();
  const slots = await Slot.find({}).lean();
  const outbox = await Outbox.countDocuments({});
  await db.close();
  const conn = await amqp.connect(h.servers.rabbitmqUrl);
  const ch = await conn.createChannel();
  const published = (await ch.checkQueue(queueName('diagnostic'))).messageCount;
  await conn.close();

  expect(tasks.length).toBeGreaterThan(1);
  expect(slots.map((s) => s.taskId).sort()).toEqual(tasks.map((t) => t._id).sort());
  expect(published + outbox).toBe(tasks.length);
});
