import { MESSAGES_AHEAD } from '@taskyard/contracts';
import { ObjectStore } from '@taskyard/storage';
import { callGateway, testServers, startProcessStack, waitFor, type ProcessStack, type TestServers } from '@taskyard/testing';

// Operator and owner controls end to end, against the product running as processes: retry, delete,
// purge of dead letters, pause and resume of a type, priorities and bulk submit.
let servers: TestServers;
let stack: ProcessStack;
const LIMITS = { diagnostic: { maxAttempts: 1, prefetch: 4, unfinishedPerOwner: 5000, heartbeatWindowMs: 10_000 } };
type Role = 'user' | 'user2' | 'admin';

interface TaskView {
  id: string;
  status: string;
  retryOf?: string;
  startedAt?: string;
  priority?: string;
  artifacts: { name: string }[];
  error?: { code: string };
}

const keyOf = (role: Role): string => stack.keys.find((k) => (role === 'user2' ? k.principal === 'teacher-2' : k.role === role && k.principal !== 'teacher-2'))!.key;

function api<T = Record<string, unknown>>(method: string, path: string, json?: unknown, role: Role = 'user'): Promise<{ status: number; body: T }> {
  return callGateway<T>(stack.gatewayUrl, keyOf(role), method, path, json);
}

async function submit(params: Record<string, unknown>, extra: Record<string, unknown> = {}): Promise<string> {
  const res = await api<{ id: string }>('POST', '/v1/tasks', { type: 'diagnostic', params, ...extra });
  expect(res.status).toBe(202);
  return res.body.id;
}

const getTask = async (id: string, role: Role = 'user'): Promise<TaskView> => (await api<TaskView>('GET', `/v1/tasks/${id}`, undefined, role)).body;

function waitForStatus(id: string, statuses: string[], timeoutMs = 30_000): Promise<TaskView> {
  return waitFor(`task ${id} to be ${statuses.join('|')}`, async () => {
    const t = await getTask(id);
    return statuses.includes(t.status) ? t : undefined;
  }, { timeoutMs, intervalMs: 150 });
}

beforeAll(async () => {
  servers = await testServers('job-control');
  stack = await startProcessStack({ servers, workers: { diagnostic: 1 }, limits: LIMITS });
}, 120_000);
afterAll(async () => {
  await stack?.stop(5000);
  await servers?.cleanup();
});

describe('retry on demand', () => {
  test('a failed task is retried as a new linked task, once; the failed one keeps its history', async () => {
    const failed = await submit({ failAttempts: 1 }, { priority: 'high' });
    await waitForStatus(failed, ['failed']);
    expect((await api('POST', `/v1/tasks/${failed}/retry`, undefined, 'user2')).status).toBe(404);
    const first = await api<{ id: string; retryOf: string }>('POST', `/v1/tasks/${failed}/retry`);
    expect([first.status, first.body.retryOf]).toEqual([202, failed]);
    const again = await api<{ id: string }>('POST', `/v1/tasks/${failed}/retry`);
    expect([again.status, again.body.id]).toEqual([200, first.body.id]);
    expect(await getTask(failed)).toMatchObject({ status: 'failed', error: { code: expect.any(String) } });
    expect(await getTask(first.body.id)).toMatchObject({ retryOf: failed, priority: 'high' });
    // The retry fails again (its params ask for it): a new attempt, not a rewrite of the old task.
    await waitForStatus(first.body.id, ['failed']);
  });

  test('a succeeded or running task is refused with 409', async () => {
    const ok = await submit({});
    await waitForStatus(ok, ['succeeded']);
    const res = await api<{ error: { code: string; message: string } }>('POST', `/v1/tasks/${ok}/retry`);
    expect([res.status, res.body.error.code]).toEqual([409, 'conflict']);
    expect(res.body.error.message).toMatch(/only a failed or cancelled task/);
    const running = await submit({ sleepMs: 60_000 });
    await waitForStatus(running, ['running']);
    const refused = await api<{ error: { code: string; message: string } }>('POST', `/v1/tasks/${running}/retry`);
    expect([refused.status, refused.body.error.code, refused.body.error.message]).toEqual([409, 'conflict', expect.stringMatching(/is running/)]);
    await api('POST', `/v1/tasks/${running}/cancel`);
    await waitForStatus(running, ['cancelled']);
  });

  test('bulk: every failed task of the type since a time, each once', async () => {
    const since = new Date(Date.now() - 1000).toISOString();
    const ids = [await submit({ failAttempts: 1 }), await submit({ failAttempts: 1 })];
    for (const id of ids) await waitForStatus(id, ['failed']);
    const res = await api<{ retried: { taskId: string; newTaskId: string }[]; skipped: { taskId: string }[]; more: boolean }>('POST', '/v1/tasks:retry', { type: 'diagnostic', since });
    expect(res.status).toBe(200);
    expect(res.body.retried.map((r) => r.taskId)).toEqual(expect.arrayContaining(ids));
    const repeat = await api<{ retried: unknown[]; skipped: { reason: string }[] }>('POST', '/v1/tasks:retry', { type: 'diagnostic', since });
    expect(repeat.body.retried.filter((r) => ids.includes((r as { taskId: string }).taskId))).toEqual([]);
    // Another owner's failed tasks are not theirs to retry.
    const other = await api<{ retried: unknown[] }>('POST', '/v1/tasks:retry', { type: 'diagnostic', since }, 'user2');
    expect(other.body.retried).toEqual([]);
    const bad = await api<{ error: { message: string } }>('POST', '/v1/tasks:retry', { type: 'diagnostic', since: '2001-01-01T00:00:00Z' });
    expect([bad.status, bad.body.error.message]).toEqual([400, expect.stringMatching(/31 days/)]);
  });
});

describe('delete', () => {
  test('refused while running and for another owner; a finished task goes with its logs and artifacts', async () => {
    const running = await submit({ sleepMs: 60_000 });
    await waitForStatus(running, ['running']);
    const refused = await api<{ error: { code: string; message: string } }>('DELETE', `/v1/tasks/${running}`);
    expect([refused.status, refused.body.error.code]).toEqual([409, 'conflict']);
    expect(refused.body.error.message).toMatch(/running.*cancel it first/);
    await api('POST', `/v1/tasks/${running}/cancel`);

    const done = await submit({ artifactBytes: 1000, progressSteps: 2 });
    await waitForStatus(done, ['succeeded']);
    expect((await api('DELETE', `/v1/tasks/${done}`, undefined, 'user2')).status).toBe(404);
    const store = new ObjectStore(servers.s3);
    const file = `artifacts/diagnostic/${done}/diagnostic.bin`;
    expect(await store.size(file)).toBe(1000);
    const res = await api<{ status: string }>('DELETE', `/v1/tasks/${done}`);
    expect([res.status, res.body.status]).toEqual([202, 'deleting']);
    await waitFor('the task to be gone', async () => (await api('GET', `/v1/tasks/${done}`)).status === 404);
    expect((await api('GET', `/v1/tasks/${done}/logs`)).status).toBe(404);
    expect(await store.size(file)).toBeUndefined();
    store.close();
  });
});

describe('dead letters', () => {
  test('an admin purges a type\'s dead letters and gets the count; a user is refused', async () => {
    const dead = await submit({ failAttempts: 1 });
    await waitForStatus(dead, ['failed']);
    await waitFor('a dead letter', async () => ((await api<{ items: unknown[] }>('GET', '/v1/admin/dead-letters/diagnostic', undefined, 'admin')).body.items.length > 0));
    expect((await api('DELETE', '/v1/admin/dead-letters/diagnostic', undefined, 'user')).status).toBe(403);
    const unknown = await api<{ error: { code: string } }>('DELETE', '/v1/admin/dead-letters/no-such-type', undefined, 'admin');
    expect([unknown.status, unknown.body.error.code]).toEqual([400, 'unknown-type']);
    const res = await api<{ purged: number }>('DELETE', '/v1/admin/dead-letters/diagnostic', undefined, 'admin');
    expect(res.status).toBe(200);
    expect(res.body.purged).toBeGreaterThanOrEqual(1);
    expect((await api<{ items: unknown[] }>('GET', '/v1/admin/dead-letters/diagnostic', undefined, 'admin')).body.items).toEqual([]);
    expect(await getTask(dead)).toMatchObject({ status: 'failed' });
  });
});

describe('pause and resume a job type', () => {
  test('paused: submits are accepted and nothing starts; it shows in the queues list and /metrics; resumed: the backlog drains', async () => {
    expect((await api('POST', '/v1/admin/job-types/diagnostic/pause', undefined, 'user')).status).toBe(403);
    expect((await api('POST', '/v1/admin/job-types/nope/pause', undefined, 'admin')).status).toBe(400);
    expect((await api<{ paused: boolean }>('POST', '/v1/admin/job-types/diagnostic/pause', undefined, 'admin')).body.paused).toBe(true);
    const queues = await api<{ items: { type: string; paused: boolean }[] }>('GET', '/v1/admin/queues', undefined, 'admin');
    expect(queues.body.items.find((q) => q.type === 'diagnostic')?.paused).toBe(true);
    const metrics = await (await fetch(`${stack.gatewayUrl}/metrics`)).text();
    expect(metrics).toMatch(/taskyard_job_type_paused\{type="diagnostic"\} 1/);
    // The worker takes the command at once; give it a moment to have missed nothing.
    await new Promise((r) => setTimeout(r, 500));
    const waiting = [await submit({}), await submit({})];
    await new Promise((r) => setTimeout(r, 2_000));
    for (const id of waiting) expect((await getTask(id)).status).toBe('queued');
    expect((await api<{ paused: boolean }>('POST', '/v1/admin/job-types/diagnostic/resume', undefined, 'admin')).body.paused).toBe(false);
    for (const id of waiting) await waitForStatus(id, ['succeeded']);
  });
});

describe('priority and bulk submit', () => {
  test('bulk submit answers per item, in order; a refused item is not stored', async () => {
    const res = await api<{ accepted: number; rejected: number; results: { index: number; id?: string; error?: { code: string; message: string } }[] }>('POST', '/v1/tasks:batch', {
      tasks: [{ type: 'diagnostic', params: {} }, { type: 'diagnostic', params: { sleepMs: -5 } }, { type: 'nope', params: {} }, { type: 'diagnostic', params: {}, priority: 'low' }],
    });
    expect(res.status).toBe(200);
    expect([res.body.accepted, res.body.rejected]).toEqual([2, 2]);
    expect(res.body.results.map((r) => r.index)).toEqual([0, 1, 2, 3]);
    expect(res.body.results[1].error).toMatchObject({ code: 'invalid-params', message: expect.stringMatching(/sleepMs/) });
    expect(res.body.results[2].error?.code).toBe('unknown-type');
    for (const r of [res.body.results[0], res.body.results[3]]) await waitForStatus(r.id!, ['succeeded']);
    expect((await api('POST', '/v1/tasks:batch', { tasks: [] })).status).toBe(400);
  });

  test('with 1,000 normal tasks of a type waiting, a high-priority one starts before them', async () => {
    await api('POST', '/v1/admin/job-types/diagnostic/pause', undefined, 'admin');
    const normal: string[] = [];
    for (let i = 0; i < 2; i++) {
      const res = await api<{ results: { id: string }[] }>('POST', '/v1/tasks:batch', { tasks: Array.from({ length: 500 }, () => ({ type: 'diagnostic', params: { sleepMs: 5 } })) });
      normal.push(...res.body.results.map((r) => r.id));
    }
    expect(normal.filter(Boolean)).toHaveLength(1000);
    const high = await submit({ sleepMs: 5 }, { priority: 'high' });
    await api('POST', '/v1/admin/job-types/diagnostic/resume', undefined, 'admin');
    const started = await waitForStatus(high, ['succeeded'], 60_000);
    // Normal tasks that started before it: at most those already in the worker's hands (its slots and one ahead).
    const sample = normal.slice(-200);
    const before = (await Promise.all(sample.map((id) => getTask(id)))).filter((t) => t.startedAt && Date.parse(t.startedAt) < Date.parse(started.startedAt!));
    expect(before.length).toBeLessThanOrEqual(LIMITS.diagnostic.prefetch + MESSAGES_AHEAD);
    expect(started.priority).toBe('high');
  }, 120_000);
});
