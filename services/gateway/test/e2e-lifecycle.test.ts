import { testServers, startProcessStack, waitFor, type ProcessStack, type TestServers } from '@taskyard/testing';

// The task lifecycle end to end, through HTTP as a client goes, against the product running as processes.
let servers: TestServers;
let stack: ProcessStack;
const LIMITS = { diagnostic: { timeoutMs: 20_000, backoffMs: [1000], heartbeatWindowMs: 5000, prefetch: 2, unfinishedPerOwner: 50 } };

interface TaskView {
  id: string;
  status: string;
  progress: number;
  attempt: number;
  artifacts: Array<{ name: string; size: number; url: string | null; expiresAt: string }>;
  error?: { code: string; message: string };
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
  const res = await api<{ id: string; status: string; statusUrl: string }>('/v1/tasks', { method: 'POST', body: JSON.stringify({ type: 'diagnostic', params }) });
  expect(res.status).toBe(202);
  return res.body.id;
}

const getTask = async (id: string): Promise<TaskView> => (await api<TaskView>(`/v1/tasks/${id}`)).body;

function waitForStatus(id: string, statuses: string[], timeoutMs = 30_000): Promise<TaskView> {
  return waitFor(`task ${id} to be ${statuses.join('|')}`, async () => {
    const t = await getTask(id);
    return statuses.includes(t.status) ? t : undefined;
  }, { timeoutMs, intervalMs: 150 });
}

async function management(path: string, method = 'GET', body?: unknown): Promise<Response> {
  const base = new URL(servers.adminManagementUrl!);
  const auth = Buffer.from(`${base.username}:${base.password}`).toString('base64');
  return fetch(`${base.protocol}//${base.host}${path}`, {
    method,
    headers: { authorization: `Basic ${auth}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
}

beforeAll(async () => {
  servers = await testServers('e2e-lifecycle');
  stack = await startProcessStack({ servers, workers: { diagnostic: 1 }, limits: LIMITS });
}, 120_000);
afterAll(async () => {
  await stack?.stop(5000);
  await servers?.cleanup();
});

test('submit → succeeded, with an artifact that downloads', async () => {
  const id = await submit({ artifactBytes: 5000 });
  const t = await waitForStatus(id, ['succeeded']);
  expect(t.artifacts).toHaveLength(1);
  const res = await fetch(t.artifacts[0].url!);
  expect(res.status).toBe(200);
  expect((await res.arrayBuffer()).byteLength).toBe(5000);
  expect(new Date(t.artifacts[0].expiresAt).getTime()).toBeGreaterThan(Date.now());
});

test('progress and logs are visible while the job runs', async () => {
  const id = await submit({ sleepMs: 4000, progressSteps: 8 });
  const midway = await waitFor('progress between 0 and 100', async () => {
    const t = await getTask(id);
    return t.status === 'running' && t.progress > 0 && t.progress < 100 ? t : undefined;
  }, { timeoutMs: 20_000, intervalMs: 100 });
  expect(midway.progress).toBeGreaterThan(0);
  const logs = await api<{ lines: Array<{ message: string }> }>(`/v1/tasks/${id}/logs`);
  expect(logs.body.lines.length).toBeGreaterThan(0);
  expect(logs.body.lines[0].message).toBe('step 1 of 8');
  await waitForStatus(id, ['succeeded']);
});

test('SSE streams a snapshot, updates and the end of a task', async () => {
  const id = await submit({ sleepMs: 1000, progressSteps: 2 });
  const res = await fetch(`${stack.gatewayUrl}/v1/tasks/${id}/events?access_token=${key()}`);
  expect(res.headers.get('content-type')).toContain('text/event-stream');
  const reader = res.body!.getReader();
  let text = '';
  const deadline = Date.now() + 20_000;
  while (!text.includes('event: end') && Date.now() < deadline) {
    const { value, done } = await reader.read();
    if (done) break;
    text += Buffer.from(value).toString('utf8');
  }
  await reader.cancel().catch(() => undefined);
  expect(text).toContain('event: snapshot');
  expect(text).toContain('event: update');
  expect(text).toMatch(/"status":"succeeded"/);
  expect(text).toContain('event: end');
});

test('cancel a queued task and a running task', async () => {
  // prefetch 2 with one worker: two long tasks occupy it, a third waits in the queue.
  const a = await submit({ sleepMs: 15_000, progressSteps: 15 });
  const b = await submit({ sleepMs: 15_000, progressSteps: 15 });
  await waitForStatus(a, ['running']);
  await waitForStatus(b, ['running']);
  const queued = await submit({});
  expect((await getTask(queued)).status).toBe('queued');
  expect((await api(`/v1/tasks/${queued}/cancel`, { method: 'POST' })).status).toBe(202);
  expect((await waitForStatus(queued, ['cancelled'])).status).toBe('cancelled');
  expect((await api(`/v1/tasks/${a}/cancel`, { method: 'POST' })).status).toBe(202);
  expect((await api(`/v1/tasks/${b}/cancel`, { method: 'POST' })).status).toBe(202);
  await waitForStatus(a, ['cancelled'], 10_000);
  await waitForStatus(b, ['cancelled'], 10_000);
  expect((await api(`/v1/tasks/${a}/cancel`, { method: 'POST' })).status).toBe(409);
});

test('failures past max attempts → failed with the reason, and an admin sees and replays the dead letter', async () => {
  const id = await submit({ failAttempts: 9 });
  const t = await waitForStatus(id, ['failed'], 30_000);
  expect(t.attempt).toBe(3);
  expect(t.error?.code).toBe('diagnostic-failure');
  const dead = await waitFor('the dead letter listed', async () => {
    const r = await api<{ items: Array<{ taskId: string; error: { code: string } }> }>('/v1/admin/dead-letters/diagnostic', {}, 'admin');
    return r.body.items.find((d) => d.taskId === id);
  });
  expect(dead.error.code).toBe('diagnostic-failure');
  const replay = await api<{ replayed: Array<{ taskId: string; newTaskId: string }> }>(
    '/v1/admin/dead-letters/diagnostic/replay', { method: 'POST', body: JSON.stringify({ taskIds: [id] }) }, 'admin',
  );
  expect(replay.body.replayed).toEqual([{ taskId: id, newTaskId: expect.any(String) }]);
  expect((await getTask(id)).status).toBe('failed');
});

test('RabbitMQ unavailable while tasks are submitted: every submit is answered, every task completes after it returns', async () => {
  const vhost = encodeURIComponent(servers.namespace);
  expect((await management(`/api/vhost-limits/${vhost}/max-connections`, 'PUT', { value: 0 })).status).toBeLessThan(300);
  try {
    const conns = (await (await management(`/api/vhosts/${vhost}/connections`)).json()) as Array<{ name: string }>;
    for (const c of conns) await management(`/api/connections/${encodeURIComponent(c.name)}`, 'DELETE');
    await waitFor('every connection to the vhost gone', async () => ((await (await management(`/api/vhosts/${vhost}/connections`)).json()) as unknown[]).length === 0);
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push(await submit({ progressSteps: 1, sleepMs: 50 }));
    for (const id of ids) expect((await getTask(id)).status).toBe('queued');
  } finally {
    await management(`/api/vhost-limits/${vhost}/max-connections`, 'DELETE');
  }
  const all = await api<{ items: TaskView[] }>('/v1/tasks?limit=5');
  for (const t of all.body.items) await waitForStatus(t.id, ['succeeded'], 60_000);
}, 120_000);
