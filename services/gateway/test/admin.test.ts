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
