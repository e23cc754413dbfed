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

interface ListedView {
  id: string;
  status: string;
  title?: string;
  params: unknown;
  progress: number;
  attempt: number;
  finishedAt?: string;
  durationMs?: number;
  artifacts: { name: string; size: number }[];
}

// The gateway's list reader remembers ended tasks (libs/tasks ended-tasks.ts): an open list it saw the task in
// is read again without its outcomes once every task there ended, and the task's document is not read again for
// the list of its end. What it lists must stay what GET shows, read after read.
test('an ended task leaves the open lists of a reader that saw it there; its ended list shows it as GET does, read after read', async () => {
  const id = await submit({ sleepMs: 300, artifactBytes: 5, progressSteps: 2 });
  await listed('status=queued');
  await listed('status=running');
  await waitFor('the task in the succeeded list', async () => (await listed('status=succeeded')).includes(id), { timeoutMs: 30_000 });
  const shown = (t: ListedView): ListedView => ({
    id: t.id,
    status: t.status,
    title: t.title,
    params: t.params,
    progress: t.progress,
    attempt: t.attempt,
    finishedAt: t.finishedAt,
    durationMs: t.durationMs,
    artifacts: t.artifacts.map((a) => ({ name: a.name, size: a.size })),
  });
  const view = (await api<ListedView>(`/v1/tasks/${id}`)).body;
  expect(shown(view)).toEqual(expect.objectContaining({ status: 'succeeded', progress: 100, artifacts: [{ name: 'diagnostic.bin', size: 5 }] }));
  for (let read = 0; read < 3; read++) {
    const item = (await api<{ items: ListedView[] }>('/v1/tasks?status=succeeded&limit=50')).body.items.find((t) => t.id === id);
    expect(item && shown(item)).toEqual(shown(view));
    expect(await listed('status=queued')).not.toContain(id);
    expect(await listed('status=running')).not.toContain(id);
  }
});
