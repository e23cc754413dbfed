import type { TaskView } from '../src/task-view';
import { startHarness, type Harness } from './gateway-harness';

let h: Harness;
beforeAll(async () => {
  h = await startHarness('gw-run-at');
});
afterAll(() => h?.close());

const submit = (json: unknown) => h.api('POST', '/v1/tasks', { as: 'alice', json });

test('a task with runAt or delayMs is scheduled until then, and shows when and with which priority', async () => {
  const runAt = new Date(Date.now() + 3_600_000).toISOString();
  const res = await submit({ type: 'diagnostic', params: {}, runAt, priority: 'high' });
  expect([res.status, res.body.status]).toEqual([202, 'scheduled']);
  const task = (await h.api<TaskView>('GET', `/v1/tasks/${String(res.body.id)}`, { as: 'alice' })).body;
  expect(task).toMatchObject({ status: 'scheduled', runAt, priority: 'high' });
  const delayed = await submit({ type: 'diagnostic', params: {}, delayMs: 60_000 });
  expect(delayed.body.status).toBe('scheduled');
});

test('a runAt in the past means now; a priority alone does not delay', async () => {
  const res = await submit({ type: 'diagnostic', params: {}, runAt: '2020-01-01T00:00:00Z', priority: 'low' });
  expect(res.body.status).toBe('queued');
});

test('bad timing input gets a 400 naming the field', async () => {
  const cases: [unknown, RegExp][] = [
    [{ runAt: new Date(Date.now() + 31 * 86_400_000).toISOString() }, /30 days/],
    [{ delayMs: 31 * 86_400_000 }, /delayMs/],
    [{ runAt: 'tomorrow' }, /runAt/],
    [{ runAt: new Date().toISOString(), delayMs: 5 }, /runAt or delayMs/],
    [{ priority: 'urgent' }, /priority/],
  ];
  for (const [extra, message] of cases) {
    const res = await submit({ type: 'diagnostic', params: {}, ...(extra as object) });
    expect([res.status, res.body.error?.message]).toEqual([400, expect.stringMatching(message)]);
  }
});
