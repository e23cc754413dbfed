import { DEFAULT_KEYS, startProcessStack, testServers, waitFor, type ProcessStack, type TestServers } from '@taskyard/testing';

let servers: TestServers;
let stack: ProcessStack | undefined;
const userKey = DEFAULT_KEYS.find((k) => k.role === 'user')!.key;

beforeAll(async () => {
  servers = await testServers('run-at-restart');
});
afterAll(async () => {
  await stack?.stop(5_000);
  await servers.cleanup();
});

const start = (): Promise<ProcessStack> => startProcessStack({ servers, workers: { scheduler: 1, diagnostic: 1 } });

async function api<T = Record<string, unknown>>(method: string, path: string, json?: unknown): Promise<{ status: number; body: T }> {
  const res = await fetch(stack!.gatewayUrl + path, {
    method,
    headers: { authorization: `Bearer ${userKey}`, ...(json ? { 'content-type': 'application/json' } : {}) },
    body: json ? JSON.stringify(json) : undefined,
  });
  return { status: res.status, body: (await res.json()) as T };
}

interface Task {
  status: string;
  runAt?: string;
  startedAt?: string;
}

it('a run-at task survives a restart of every service, starts not before its time and soon after; a cancelled one never starts', async () => {
  stack = await start();
  const runAt = new Date(Date.now() + 15_000).toISOString();
  const kept = await api<{ id: string; status: string }>('POST', '/v1/tasks', { type: 'diagnostic', params: { sleepMs: 10 }, runAt });
  const dropped = await api<{ id: string; status: string }>('POST', '/v1/tasks', { type: 'diagnostic', params: { sleepMs: 10 }, runAt });
  expect([kept.body.status, dropped.body.status]).toEqual(['scheduled', 'scheduled']);
  expect((await api('POST', `/v1/tasks/${dropped.body.id}/cancel`)).status).toBe(202);
  await waitFor('the cancel', async () => (await api<Task>('GET', `/v1/tasks/${dropped.body.id}`)).body.status === 'cancelled');

  // Every service stops (gateway, status, scheduler, worker) and starts again while the task waits.
  await stack.stop(10_000);
  const stoppedAt = Date.now();
  expect(stoppedAt).toBeLessThan(Date.parse(runAt));
  stack = await start();
  const restartedAt = Date.now();

  const done = await waitFor('the run-at task to succeed', async () => {
    const t = (await api<Task>('GET', `/v1/tasks/${kept.body.id}`)).body;
    return t.status === 'succeeded' ? t : undefined;
  }, { timeoutMs: 60_000, intervalMs: 250 });
  const startedAt = Date.parse(done.startedAt!);
  // Never early; it waited through the restart; and it started soon after it could (its time, or the
  // services being back if that took longer). The stated bound is 250 ms of the last wait plus delivery;
  // a loaded test machine gets far more room.
  expect(startedAt).toBeGreaterThanOrEqual(Date.parse(runAt));
  expect(startedAt).toBeGreaterThan(stoppedAt);
  expect(startedAt - Math.max(Date.parse(runAt), restartedAt)).toBeLessThan(10_000);
  expect((await api<Task>('GET', `/v1/tasks/${dropped.body.id}`)).body).toMatchObject({ status: 'cancelled' });
  expect((await api<Task>('GET', `/v1/tasks/${dropped.body.id}`)).body.startedAt).toBeUndefined();
}, 150_000);
