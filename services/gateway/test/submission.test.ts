import amqp, { type ChannelModel } from 'amqplib';
import mongoose, { type Connection } from 'mongoose';
import { TASK_EVENTS_EXCHANGE, queueName, type TaskEvent } from '@taskyard/contracts';
import { taskModels, type TaskModels } from '@taskyard/tasks';
import { waitFor } from '@taskyard/testing';
import type { TaskView } from '../src/task-view';
import { startHarness, type ApiAnswer, type Harness, type LooseBody } from './gateway-harness';

let h: Harness;
let db: Connection;
let models: TaskModels;
let amqpConn: ChannelModel;

beforeAll(async () => {
  h = await startHarness('gw-submit');
  db = await mongoose.createConnection(h.servers.mongoUrl).asPromise();
  models = taskModels(db);
  amqpConn = await amqp.connect(h.servers.rabbitmqUrl);
});
afterAll(async () => {
  await amqpConn?.close();
  await db?.close();
  await h?.close();
});

const submit = (as: string, json: unknown, headers?: Record<string, string>): Promise<ApiAnswer> => h.api('POST', '/v1/tasks', { as, json, headers });
const diagnostic = { type: 'diagnostic', params: {} };

async function queueDepth(queue: string): Promise<number> {
  const ch = await amqpConn.createChannel();
  try {
    return (await ch.checkQueue(queue)).messageCount;
  } finally {
    await ch.close();
  }
}

describe('Idempotency-Key', () => {
  test('a repeat returns the first task with 200 and the same body; another owner\'s key is their own', async () => {
    const first = await submit('alice', diagnostic, { 'idempotency-key': 'report-42' });
    const again = await submit('alice', { params: {}, type: 'diagnostic' }, { 'idempotency-key': 'report-42' });
    expect(first.status).toBe(202);
    expect(again.status).toBe(200);
    expect(again.body).toEqual(first.body);
    expect(again.headers.get('location')).toBe(first.headers.get('location'));
    const other = await submit('bob', diagnostic, { 'idempotency-key': 'report-42' });
    expect(other.status).toBe(202);
    expect(other.body.id).not.toBe(first.body.id);
  });

  test('after 24 h a key is free again: the next submit makes a new task, which its repeats then return', async () => {
    const long = new Date(Date.now() - 25 * 3600_000);
    await models.Task.collection.insertOne({
      _id: 'old-keyed-task', type: 'diagnostic', title: 'old', owner: 'bob', params: {}, status: 'succeeded', progress: 100, attempt: 1,
      maxAttempts: 3, artifacts: [], logs: [], idempotencyKey: 'nightly', idempotencyScope: JSON.stringify(['bob', 'nightly', 0]), createdAt: long, queuedAt: long,
    } as never);
    const fresh = await submit('bob', diagnostic, { 'idempotency-key': 'nightly' });
    expect(fresh.status).toBe(202);
    expect(fresh.body.id).not.toBe('old-keyed-task');
    const repeat = await submit('bob', diagnostic, { 'idempotency-key': 'nightly' });
    expect(repeat.status).toBe(200);
    expect(repeat.body.id).toBe(fresh.body.id);
  });

  test('the same key with another body, or another job type, is refused with 422 naming what differs', async () => {
    const first = await submit('carol', { ...diagnostic, title: 'weekly', params: { sleepMs: 1 } }, { 'idempotency-key': 'k-mismatch' });
    expect(first.status).toBe(202);
    const otherParams = await submit('carol', { ...diagnostic, title: 'weekly', params: { sleepMs: 2 } }, { 'idempotency-key': 'k-mismatch' });
    expect(otherParams.status).toBe(422);
    expect(otherParams.body.error).toMatchObject({ code: 'idempotency-mismatch', details: { taskId: first.body.id, differ: ['params'] } });
    expect(otherParams.body.error?.message).toContain('k-mismatch');
    const otherType = await submit(
      'carol',
      { type: 'spelling-report', title: 'weekly', params: { scope: 'school', schoolId: 's1', from: '2025-01-01', to: '2025-03-01' } },
      { 'idempotency-key': 'k-mismatch' },
    );
    expect(otherType.status).toBe(422);
    expect(otherType.body.error).toMatchObject({ code: 'idempotency-mismatch', details: { differ: ['type', 'params'] } });
    const same = await submit('carol', { params: { sleepMs: 1 }, title: 'weekly', type: 'diagnostic' }, { 'idempotency-key': 'k-mismatch' });
    expect(same.status).toBe(200);
    expect(same.body.id).toBe(first.body.id);
  });

  test('scopes cannot collide: "K#1" is not the next generation of "K", and an owner with ":" reaches no one else\'s keys', async () => {
    // dave's "K" is made older than the window, so his next "K" takes the key's second generation.
    const first = await submit('dave', diagnostic, { 'idempotency-key': 'K' });
    await models.Task.collection.updateOne({ _id: first.body.id } as never, { $set: { createdAt: new Date(Date.now() - 25 * 3600_000) } });
    const hashKey = await submit('dave', diagnostic, { 'idempotency-key': 'K#1' });
    expect(hashKey.status).toBe(202);
    const plainKey = await submit('dave', diagnostic, { 'idempotency-key': 'K' });
    expect(plainKey.status).toBe(202);
    expect(plainKey.body.id).not.toBe(hashKey.body.id);
    const { idempotencyScope } = await import('../src/idempotency');
    expect(idempotencyScope('a:b', 'c', 0)).not.toBe(idempotencyScope('a', 'b:c', 0));
    expect(idempotencyScope('a', 'K#1', 0)).not.toBe(idempotencyScope('a', 'K', 1));
  });

  test('50 concurrent submits with one key make one task, one message, and hold one slot', async () => {
    const before = await queueDepth(queueName('diagnostic'));
    const answers = await Promise.all(Array.from({ length: 50 }, () => submit('grace', diagnostic, { 'idempotency-key': 'same-key' })));
    const ids = new Set(answers.map((a) => a.body.id));
    expect(answers.map((a) => a.status).sort()).toEqual([...Array(49).fill(200), 202].sort());
    expect(ids.size).toBe(1);
    expect(await models.Task.countDocuments({ owner: 'grace' })).toBe(1);
    expect(await models.Slot.countDocuments({ _id: /^grace:/ })).toBe(1);
    await waitFor('the message', async () => (await queueDepth(queueName('diagnostic'))) === before + 1);
  });
});

describe('the unfinished limit', () => {
  test('20 concurrent submits against a limit of 3: exactly 3 accepted, 17 × 429, 3 messages', async () => {
    const before = await queueDepth(queueName('diagnostic'));
    const answers = await Promise.all(Array.from({ length: 20 }, () => submit('frank', diagnostic)));
    const accepted = answers.filter((a) => a.status === 202);
    const refused = answers.filter((a) => a.status === 429);
    expect(accepted).toHaveLength(3);
    expect(refused).toHaveLength(17);
    expect(refused[0].body.error?.code).toBe('quota-exceeded');
    expect(await models.Task.countDocuments({ owner: 'frank' })).toBe(3);
    expect(await models.Slot.countDocuments({ _id: /^frank:diagnostic:/ })).toBe(3);
    await waitFor('3 more messages', async () => (await queueDepth(queueName('diagnostic'))) === before + 3);
    // Other types have limits of their own.
    const report = await submit('frank', { type: 'spelling-report', params: { scope: 'school', schoolId: 's1', from: '2025-01-01', to: '2025-03-01' } });
    expect(report.status).toBe(202);
  });
});

describe('cancel', () => {
  test('30 concurrent cancels of one task: all 202, one request document, exactly one cancel-requested event', async () => {
    const ch = await amqpConn.createChannel();
    const { queue } = await ch.assertQueue('', { exclusive: true });
    await ch.bindQueue(queue, TASK_EVENTS_EXCHANGE, '#');
    const events: TaskEvent[] = [];
    await ch.consume(queue, (m) => m && events.push(JSON.parse(m.content.toString()) as TaskEvent), { noAck: true });

    const task = await submit('heidi', diagnostic);
    const id = String(task.body.id);
    const answers = await Promise.all(Array.from({ length: 30 }, () => h.api('POST', `/v1/tasks/${id}/cancel`, { as: 'heidi' })));
    expect(answers.every((a) => a.status === 202 && a.body.id === id)).toBe(true);
    expect(await models.TaskRequest.countDocuments({ taskId: id })).toBe(1);
    await waitFor('the cancel event', () => events.length >= 1);
    await new Promise((r) => setTimeout(r, 500));
    expect(events.filter((e) => e.taskId === id)).toEqual([
      expect.objectContaining({ kind: 'cancel-requested', taskId: id, type: 'diagnostic', requestedBy: 'heidi' }),
    ]);
    await ch.close();
  });

  test('409 not-cancellable for a terminal task', async () => {
    const now = new Date();
    await models.Task.collection.insertOne({
      _id: 'done-task-1', type: 'diagnostic', title: 'd', owner: 'ivan', params: {}, status: 'succeeded', progress: 100, attempt: 1,
      maxAttempts: 3, artifacts: [], logs: [], createdAt: now, queuedAt: now,
    } as never);
    const res = await h.api('POST', '/v1/tasks/done-task-1/cancel', { as: 'ivan' });
    expect(res.status).toBe(409);
    expect(res.body.error?.code).toBe('not-cancellable');
  });
});

describe('artifacts', () => {
  test('presigned URLs download the file; an expired task shows no URL', async () => {
    const { ObjectStore } = await import('@taskyard/storage');
    const store = new ObjectStore(h.servers.s3);
    await store.put('artifacts/diagnostic/art-1/diagnostic.bin', Buffer.from('hello artifact'), 'application/octet-stream');
    store.close();
    const now = new Date();
    const base = {
      type: 'diagnostic', title: 'd', owner: 'judy', params: {}, progress: 100, attempt: 1, maxAttempts: 3, logs: [{ at: now.toISOString(), level: 'info', message: 'wrote it' }],
      artifacts: [{ name: 'diagnostic.bin', key: 'artifacts/diagnostic/art-1/diagnostic.bin', size: 14, contentType: 'application/octet-stream' }],
      createdAt: now, queuedAt: now, startedAt: now, finishedAt: now, durationMs: 5, runId: 'secret-run',
    };
    await models.Task.collection.insertOne({ _id: 'art-1', status: 'succeeded', ...base } as never);
    await models.Task.collection.insertOne({ _id: 'art-2', status: 'expired', ...base } as never);

    const ok = await h.api<TaskView>('GET', '/v1/tasks/art-1', { as: 'judy' });
    const [artifact] = ok.body.artifacts;
    expect(artifact).toMatchObject({ name: 'diagnostic.bin', size: 14, contentType: 'application/octet-stream' });
    expect(Date.parse(artifact.expiresAt!)).toBeGreaterThan(Date.now());
    expect(await (await fetch(artifact.url!)).text()).toBe('hello artifact');
    expect(ok.body).not.toHaveProperty('runId');
    expect(ok.body.durationMs).toBe(5);

    const expired = await h.api<TaskView>('GET', '/v1/tasks/art-2', { as: 'judy' });
    expect(expired.body.artifacts[0].url).toBeNull();
    const logs = await h.api<{ lines: LooseBody[] }>('GET', '/v1/tasks/art-1/logs', { as: 'judy' });
    expect(logs.body.lines).toEqual([{ at: now.toISOString(), level: 'info', message: 'wrote it' }]);
  });
});

describe('callbackUrl', () => {
  test('credentials in the URL or another scheme are refused with 400 naming callbackUrl', async () => {
    for (const callbackUrl of ['https://user:pw@hooks.example.com/x', 'https://user@hooks.example.com/x']) {
      const res = await submit('erin', { ...diagnostic, callbackUrl });
      expect(res.status).toBe(400);
      expect(res.body.error?.message).toContain('callbackUrl must not carry credentials');
    }
  });

  test("the task shows its callback's delivery attempts", async () => {
    const res = await submit('erin', { ...diagnostic, callbackUrl: 'https://hooks.example.com/taskyard' });
    const id = String(res.body.id);
    expect((await h.api<TaskView>('GET', `/v1/tasks/${id}`, { as: 'erin' })).body.callback).toEqual({ state: 'pending', attempts: [] });
    const attempts = [{ at: new Date().toISOString(), status: 503, error: 'answered 503' }, { at: new Date().toISOString(), status: 200 }];
    await models.CallbackDelivery.collection.insertOne({ _id: id, origin: 'https://hooks.example.com', state: 'delivered', attempts, createdAt: new Date() } as never);
    expect((await h.api<TaskView>('GET', `/v1/tasks/${id}`, { as: 'erin' })).body.callback).toEqual({ state: 'delivered', attempts });
    const plain = await submit('erin', diagnostic);
    expect((await h.api<TaskView>('GET', `/v1/tasks/${String(plain.body.id)}`, { as: 'erin' })).body).not.toHaveProperty('callback');
  });
});
