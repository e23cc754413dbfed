import mongoose from 'mongoose';
import { publishDeadLetter, type ConfirmPublisher } from '@taskyard/messaging';
import type { TaskMessage } from '@taskyard/contracts';
import { waitFor } from '@taskyard/testing';
import type { TaskView } from '../src/task-view';
import { startHarness, startTestPublisher, type Harness } from './gateway-harness';

let h: Harness;
let publisher: ConfirmPublisher;
let closePublisher: () => Promise<void>;

beforeAll(async () => {
  h = await startHarness('gw-admin');
  ({ publisher, close: closePublisher } = await startTestPublisher(h.servers, 'admin-test'));
});
afterAll(async () => {
  await closePublisher?.();
  await h?.close();
});

const dead = (id: string, owner: string): TaskMessage => ({
  id,
  type: 'diagnostic',
  owner,
  title: `dead ${id}`,
  params: { failAttempts: 9 },
  attempt: 3,
  maxAttempts: 3,
  createdAt: new Date().toISOString(),
});

type DeadList = { items: { taskId: string; title: string; owner: string; attempt: number; error: { code: string; message: string }; deadAt: string }[] };
type Queues = { items: { type: string; dead: number }[] };

test('dead letters are listed without being consumed, and a replay submits a new task of the same owner', async () => {
  await publishDeadLetter(publisher, dead('dead-1', 'alice'), { code: 'boom', message: 'it failed three times' });
  await publishDeadLetter(publisher, dead('dead-2', 'bob'), { code: 'boom', message: 'so did this one' });

  const list = await waitFor('two dead letters', async () => {
    const res = await h.api<DeadList>('GET', '/v1/admin/dead-letters/diagnostic', { as: 'admin' });
    return res.body.items.length === 2 ? res.body.items : undefined;
  });
  expect(list[0]).toEqual({
    taskId: 'dead-1',
    title: 'dead dead-1',
    owner: 'alice',
    attempt: 3,
    error: { code: 'boom', message: 'it failed three times' },
    deadAt: expect.any(String),
  });
  // Reading again shows the same: listing does not consume.
  expect((await h.api<DeadList>('GET', '/v1/admin/dead-letters/diagnostic', { as: 'admin' })).body.items).toHaveLength(2);
  await waitFor('the depth', async () => (await h.api<Queues>('GET', '/v1/admin/queues', { as: 'admin' })).body.items.find((q) => q.type === 'diagnostic')?.dead === 2);

  const replay = await h.api<{ replayed: { taskId: string; newTaskId: string }[] }>('POST', '/v1/admin/dead-letters/diagnostic/replay', {
    as: 'admin',
    json: { taskIds: ['dead-2'] },
  });
  expect(replay.status).toBe(200);
  expect(replay.body.replayed).toEqual([{ taskId: 'dead-2', newTaskId: expect.any(String) }]);
  const fresh = await h.api<TaskView>('GET', `/v1/tasks/${replay.body.replayed[0].newTaskId}`, { as: 'bob' });
  expect(fresh.body).toMatchObject({ owner: 'bob', title: 'dead dead-2', params: { failAttempts: 9 }, status: 'queued', attempt: 0 });

  const left = await h.api<DeadList>('GET', '/v1/admin/dead-letters/diagnostic', { as: 'admin' });
  expect(left.body.items.map((d) => d.taskId)).toEqual(['dead-1']);
});

test('an unknown type is refused', async () => {
  const res = await h.api('GET', '/v1/admin/dead-letters/nope', { as: 'admin' });
  expect(res.status).toBe(400);
  expect(res.body.error?.code).toBe('unknown-type');
});

type Replay = { replayed: { taskId: string; newTaskId: string }[]; skipped: { taskId: string; reason: string }[]; unknown: string[] };
const diagnosticDead = async (): Promise<DeadList & { total: number }> =>
  (await h.api<DeadList & { total: number }>('GET', '/v1/admin/dead-letters/diagnostic', { as: 'admin' })).body;

test('parallel listings each see every dead letter, and the queues page counts what the list shows', async () => {
  await publishDeadLetter(publisher, dead('par-1', 'carol'), { code: 'boom', message: 'one' });
  await publishDeadLetter(publisher, dead('par-2', 'carol'), { code: 'boom', message: 'two' });
  const before = (await diagnosticDead()).items.length;

  const lists = await Promise.all([diagnosticDead(), diagnosticDead(), diagnosticDead(), diagnosticDead()]);
  for (const list of lists) {
    expect(list.items).toHaveLength(before);
    expect(list.total).toBe(before);
    expect(list.items.map((d) => d.taskId)).toEqual(expect.arrayContaining(['par-1', 'par-2']));
  }
  // Counted by the broker at once, no sampling delay, even while listings run beside it.
  const [queues] = await Promise.all([h.api<Queues>('GET', '/v1/admin/queues', { as: 'admin' }), diagnosticDead(), diagnosticDead()]);
  expect(queues.body.items.find((q) => q.type === 'diagnostic')?.dead).toBe(before);
});

test('a replay without a body replays every dead letter, keeping the callback URL, tag and parent', async () => {
  const submitted = await h.api<{ id: string }>('POST', '/v1/tasks', {
    as: 'dave',
    json: { type: 'diagnostic', title: 'with a callback', params: {}, tag: 'class-7', callbackUrl: 'https://hooks.example.com/taskyard' },
  });
  expect(submitted.status).toBe(202);
  await publishDeadLetter(publisher, { ...dead(submitted.body.id, 'dave'), tag: 'class-7', parentId: 'parent-of-dave' }, { code: 'boom', message: 'x' });
  const ids = (await diagnosticDead()).items.map((d) => d.taskId);
  expect(ids).toContain(submitted.body.id);

  const replay = await h.api<Replay>('POST', '/v1/admin/dead-letters/diagnostic/replay', { as: 'admin' });
  expect(replay.status).toBe(200);
  expect(replay.body.skipped).toEqual([]);
  expect(replay.body.unknown).toEqual([]);
  expect(replay.body.replayed.map((r) => r.taskId).sort()).toEqual([...ids].sort());
  expect((await diagnosticDead()).items).toEqual([]);

  const newId = replay.body.replayed.find((r) => r.taskId === submitted.body.id)!.newTaskId;
  const fresh = await h.api<TaskView>('GET', `/v1/tasks/${newId}`, { as: 'dave' });
  expect(fresh.body).toMatchObject({ owner: 'dave', tag: 'class-7', parentId: 'parent-of-dave', status: 'queued' });
  const conn = await mongoose.createConnection(h.servers.mongoUrl).asPromise();
  try {
    const stored = await conn.collection('tasks').findOne({ _id: newId as never });
    expect(stored?.callbackUrl).toBe('https://hooks.example.com/taskyard');
  } finally {
    await conn.close();
  }
});

test('a replay names the ids that are not dead letters of the type', async () => {
  await publishDeadLetter(publisher, dead('known-1', 'erin'), { code: 'boom', message: 'x' });
  const replay = await h.api<Replay>('POST', '/v1/admin/dead-letters/diagnostic/replay', { as: 'admin', json: { taskIds: ['known-1', 'no-such-task'] } });
  expect(replay.status).toBe(200);
  expect(replay.body.replayed.map((r) => r.taskId)).toEqual(['known-1']);
  expect(replay.body.unknown).toEqual(['no-such-task']);
});
