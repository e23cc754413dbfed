import { testServers, startProcessStack, waitFor, type ProcessStack, type TestServers } from '@taskyard/testing';

// The task list through HTTP against the product running as processes: a task is listed from its submit,
// and moves between the status lists as the status service folds its events (its one writer).
let servers: TestServers;
let stack: ProcessStack;
const LIMITS = { diagnostic: { timeoutMs: 20_000, backoffMs: [200], heartbeatWindowMs: 5000, prefetch: 2, unfinishedPerOwner: 50, maxAttempts: 2 } };

interface ListPage {
  items: { id: string; status: string; type: string }[];
  nextCursor?: string;
}

const key = (role: 'user' | 'admin' = 'user'): string => stack.keys.find((k) => k.role === role)!.key;

async function api<T>(path: string, init: RequestInit = {}, role: 'user' | 'admin' = 'user'): Promise<{ status: number; body: T }> {
  const res = await fetch(`${stack.gatewayUrl}${path}`, {
    ...init,
    headers: { authorization: `Bearer ${key(role)}`, ...(init.body ? { 'content-type': 'application/json' } : {}), ...(init.headers ?? {}) },
  });
  return { status: res.status, body: (await res.json()) as T };
}

async function submit(params: Record<string, unknown>): Promise<string> {
  const res = await api<{ id: string }>('/v1/tasks', { method: 'POST', body: JSON.stringify({ type: 'diagnostic', params }) });
  expect(res.status).toBe(202);
  return res.body.id;
}

const listed = async (query: string, role: 'user' | 'admin' = 'user'): Promise<string[]> => (await api<ListPage>(`/v1/tasks?${query}`, {}, role)).body.items.map((t) => t.id);

beforeAll(async () => {
  servers = await testServers('task-list-e2e');
  stack = await startProcessStack({ servers, workers: { diagnostic: 1 }, limits: LIMITS });
}, 120_000);
afterAll(async () => {
  await stack?.stop(5000);
  await servers?.cleanup();
});

test('a submitted task is listed at once; when it fails it leaves the queued list for the failed one', async () => {
  const ok = await submit({ sleepMs: 1 });
  const bad = await submit({ failAttempts: 5 });
  expect((await listed('limit=5')).slice(0, 2)).toEqual([bad, ok]);
  expect(await listed('limit=5', 'admin')).toEqual(expect.arrayContaining([bad, ok]));

  await waitFor('the failing task in the failed list', async () => (await listed('status=failed&type=diagnostic')).includes(bad), { timeoutMs: 30_000 });
  await waitFor('the other in the succeeded list', async () => (await listed('status=succeeded')).includes(ok), { timeoutMs: 30_000 });
  expect(await listed('status=queued')).not.toContain(bad);
  expect(await listed('status=failed', 'admin')).toContain(bad);
  expect(await listed('status=failed&type=other')).toEqual([]);
});
