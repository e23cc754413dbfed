import amqp from 'amqplib';
import mongoose, { type Connection } from 'mongoose';
import { HEADER, jobTypes, queueName, type TaskMessage } from '@taskyard/contracts';
import { taskModels, type TaskModels } from '@taskyard/tasks';
import { waitFor } from '@taskyard/testing';
import { startHarness, type Harness } from './gateway-harness';

let h: Harness;
let db: Connection;
let models: TaskModels;

beforeAll(async () => {
  h = await startHarness('gw-outage', { jobTypes: jobTypes({ enableDiagnostic: true, limitOverrides: { diagnostic: { unfinishedPerOwner: 50 } } }) });
  db = await mongoose.createConnection(h.servers.mongoUrl).asPromise();
  models = taskModels(db);
});
afterAll(async () => {
  await management('DELETE', `/api/vhost-limits/${vhost()}/max-connections`).catch(() => undefined);
  await db?.close();
  await h?.close();
});

const vhost = (): string => encodeURIComponent(h.servers.namespace);

async function management(method: string, path: string, body?: unknown): Promise<Response> {
  const base = new URL(h.servers.adminManagementUrl!);
  const auth = Buffer.from(`${decodeURIComponent(base.username)}:${decodeURIComponent(base.password)}`).toString('base64');
  const res = await fetch(`${base.protocol}//${base.host}${path}`, {
    method,
    headers: { authorization: `Basic ${auth}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!res.ok && res.status !== 404) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`);
  return res;
}

/** Takes the broker away from this file's vhost only: no new connections, and the open ones closed. */
async function brokerAway(): Promise<void> {
  await management('PUT', `/api/vhost-limits/${vhost()}/max-connections`, { value: 0 });
  await waitFor('the gateway to lose its broker connection', async () => {
    const conns = (await (await management('GET', `/api/vhosts/${vhost()}/connections`)).json()) as { name: string }[];
    for (const c of conns) await management('DELETE', `/api/connections/${encodeURIComponent(c.name)}`);
    return conns.length === 0 && (await h.api('GET', '/readyz')).status === 503;
  });
}

test('while the broker is away every submit is answered 202, and every task is published once it is back', async () => {
  await brokerAway();
  const ready = await h.api('GET', '/readyz');
  expect(ready.body.error).toMatchObject({ code: 'not-ready', details: { broker: false, database: true, storage: true } });

  const answers = await Promise.all(Array.from({ length: 10 }, (_, i) => h.api('POST', '/v1/tasks', { as: 'alice', json: { type: 'diagnostic', title: `t${i}`, params: {} } })));
  expect(answers.map((a) => a.status)).toEqual(Array(10).fill(202));
  const ids = answers.map((a) => String(a.body.id)).sort();
  // Each unconfirmed task gets an entry of its own, due at once (beside them: the group entry of ids reserved
  // ahead). The 202 does not wait for the publish to fail, so the entries follow it: wait for all ten.
  const ownEntryIds = async (): Promise<string[]> => (await models.Outbox.find({}).lean()).filter((e) => !e.taskIds).map((e) => e._id).sort();
  await waitFor('an entry of its own for each unconfirmed task', async () => (await ownEntryIds()).length >= ids.length, { timeoutMs: 30_000 });
  expect(await ownEntryIds()).toEqual(ids);

  // A cancel cannot be delivered now: 503, and its request is withdrawn so a retry can win later.
  const cancel = await h.api('POST', `/v1/tasks/${ids[0]}/cancel`, { as: 'alice' });
  expect(cancel.status).toBe(503);
  expect(cancel.body.error?.code).toBe('broker-unavailable');
  expect(await models.TaskRequest.countDocuments({ taskId: ids[0] })).toBe(0);

  await management('DELETE', `/api/vhost-limits/${vhost()}/max-connections`);
  await waitFor('the outbox to drain', async () => (await models.Outbox.countDocuments({})) === 0, { timeoutMs: 30_000 });

  const conn = await amqp.connect(h.servers.rabbitmqUrl);
  const ch = await conn.createChannel();
  const got: TaskMessage[] = [];
  await waitFor('the ten messages', async () => {
    const msg = await ch.get(queueName('diagnostic'), { noAck: true });
    if (msg) {
      expect(msg.properties.messageId).toBe((JSON.parse(msg.content.toString()) as TaskMessage).id);
      expect(msg.properties.headers?.[HEADER.republished]).toBe(true);
      got.push(JSON.parse(msg.content.toString()) as TaskMessage);
    }
    return got.length === 10;
  });
  expect(got.map((m) => m.id).sort()).toEqual(ids);
  expect(got.every((m) => m.attempt === 1 && m.owner === 'alice' && m.type === 'diagnostic')).toBe(true);
  await conn.close();

  expect((await h.api('POST', `/v1/tasks/${ids[0]}/cancel`, { as: 'alice' })).status).toBe(202);
  expect((await h.api('GET', '/readyz')).status).toBe(200);
});

test('an outbox entry whose task was never inserted (a submit stopped before its insert) is dropped by the relay', async () => {
  const id = '00000000-0000-4000-8000-00000000dead';
  await models.Outbox.collection.insertOne({ _id: id, createdAt: new Date(Date.now() - 60_000), relayAfter: new Date(Date.now() - 1000) } as never);
  await waitFor('the relay to drop the entry', async () => (await models.Outbox.countDocuments({ _id: id })) === 0, { timeoutMs: 15_000 });
  expect(await models.Task.countDocuments({ _id: id })).toBe(0);
});
