import http, { type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { callGateway, testServers, startProcessStack, waitFor, type ProcessStack, type TestServers } from '@taskyard/testing';

// Seed 002's allow-list changed by an admin while the stack runs (gateway, status service and an api-harvest
// worker as processes): the gateway applies it at once (others within the refresh), a run reads it at its start.
let servers: TestServers;
let stack: ProcessStack;
/** The local API (as the seed's mock API): answers /data, counting requests. */
let api: { url: string; hits: number; server: Server };
const REFRESH_MS = 500;

const keyOf = (role: 'user' | 'admin'): string => stack.keys.find((k) => k.role === role)!.key;

function call<T = Record<string, unknown>>(method: string, path: string, json?: unknown, role: 'user' | 'admin' = 'user'): Promise<{ status: number; body: T }> {
  return callGateway<T>(stack.gatewayUrl, keyOf(role), method, path, json);
}

type Answer = { status: number; body: { id?: string; error?: { code: string; message: string } } };
const harvest = (): Promise<Answer> => call('POST', '/v1/tasks', { type: 'api-harvest', params: { mode: 'single', url: `${api.url}/data` } });

async function startApi(): Promise<typeof api> {
  const local = { url: '', hits: 0, server: http.createServer((_req, res) => {
    local.hits++;
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end('[{"id":1}]');
  }) };
  await new Promise<void>((resolve) => local.server.listen(0, '127.0.0.1', resolve));
  local.url = `http://127.0.0.1:${(local.server.address() as AddressInfo).port}`;
  return local;
}
const setHosts = (privateHosts: string[], role: 'user' | 'admin' = 'admin'): Promise<Answer & { body: Record<string, unknown> }> =>
  call('PUT', '/v1/admin/settings/harvest-hosts', { allowed: [], privateHosts }, role);

function waitForStatus(id: string, statuses: string[]): Promise<{ status: string; error?: { code: string; message: string } }> {
  return waitFor(`task ${id} to be ${statuses.join('|')}`, async () => {
    const t = (await call<{ status: string; error?: { code: string; message: string } }>('GET', `/v1/tasks/${id}`)).body;
    return statuses.includes(t.status) ? t : undefined;
  }, { timeoutMs: 30_000, intervalMs: 150 });
}

beforeAll(async () => {
  api = await startApi();
  servers = await testServers('harvest-hosts-live');
  // The environment allows nothing: only the admin's setting lets the local API (127.0.0.1, private) in.
  stack = await startProcessStack({
    servers,
    workers: { 'api-harvest': 1, scheduler: 1 },
    env: { API_HARVEST_ALLOWED_HOSTS: '', API_HARVEST_PRIVATE_HOSTS: '', API_HARVEST_HOSTS_REFRESH_MS: String(REFRESH_MS) },
  });
}, 120_000);
afterAll(async () => {
  await stack?.stop(5000);
  await servers?.cleanup();
  await new Promise((resolve) => api?.server.close(resolve));
});

test('an admin allows a host and removes it again: submits and a queued run follow without a restart', async () => {
  const before = await harvest();
  expect({ status: before.status, code: before.body.error?.code }).toEqual({ status: 400, code: 'host-not-allowed' });
  expect((await call('GET', '/v1/admin/settings/harvest-hosts', undefined, 'admin')).body).toMatchObject({ allowed: [], privateHosts: [], source: 'environment' });

  // Only an admin sets it; a bad entry is a 400 naming it, and changes nothing.
  expect((await setHosts(['127.0.0.1'], 'user')).status).toBe(403);
  const bad = await setHosts(['127.0.0.1', 'http://x/y']);
  expect({ status: bad.status, code: bad.body.error?.code }).toEqual({ status: 400, code: 'invalid-params' });
  expect(bad.body.error?.message).toContain('privateHosts/1');
  expect((await harvest()).status).toBe(400);

  const set = await setHosts(['127.0.0.1']);
  expect(set.status).toBe(200);
  expect(set.body).toMatchObject({ privateHosts: ['127.0.0.1'], source: 'admin', updatedBy: expect.any(String) });
  const allowed = await harvest();
  expect(allowed.status).toBe(202);
  // The worker read the change too (within its refresh): the request is made and kept.
  expect((await waitForStatus(allowed.body.id!, ['succeeded', 'failed'])).status).toBe('succeeded');

  // A run queued while the host was allowed (the type paused, as a schedule's next occurrence would wait)...
  expect((await call('POST', '/v1/admin/job-types/api-harvest/pause', undefined, 'admin')).status).toBe(200);
  const queued = await harvest();
  expect(queued.status).toBe(202);
  const hitsBefore = api.hits;
  // ...then the admin removes the host: new submits are refused at once, the queued run fails when it runs.
  expect((await setHosts([])).status).toBe(200);
  const after = await harvest();
  expect({ status: after.status, code: after.body.error?.code }).toEqual({ status: 400, code: 'host-not-allowed' });
  expect((await call('POST', '/v1/admin/job-types/api-harvest/resume', undefined, 'admin')).status).toBe(200);
  const failed = await waitForStatus(queued.body.id!, ['succeeded', 'failed']);
  expect(failed.status).toBe('failed');
  expect(failed.error).toMatchObject({ code: 'host-not-allowed', message: expect.stringContaining('127.0.0.1') });
  expect(api.hits).toBe(hitsBefore);
});

type Occurrence = { fireAt: string; taskId?: string };
type TaskEnd = { status: string; error?: { code: string; message: string } };

/** The schedule's occurrences fired after `after`, each with its task's end (once it ended). */
async function endsAfter(scheduleId: string, after: number): Promise<TaskEnd[]> {
  const history = (await call<{ history: Occurrence[] }>('GET', `/v1/schedules/${scheduleId}`)).body.history ?? [];
  const ends: TaskEnd[] = [];
  for (const o of history.filter((h) => h.taskId && Date.parse(h.fireAt) > after)) {
    const t = (await call<TaskEnd>('GET', `/v1/tasks/${o.taskId}`)).body;
    if (['succeeded', 'failed'].includes(t.status)) ends.push(t);
  }
  return ends;
}

test('a schedule made while its host was allowed fails its next run, without requesting, once the host is removed', async () => {
  expect((await setHosts(['127.0.0.1'])).status).toBe(200);
  const created = await call<{ id: string }>('POST', '/v1/schedules', { cron: '*/2 * * * * *', timezone: 'UTC', task: { type: 'api-harvest', params: { mode: 'single', url: `${api.url}/data` } } });
  expect(created.status).toBe(201);
  const id = created.body.id;
  await waitFor('a scheduled run to succeed', async () => (await endsAfter(id, 0)).some((t) => t.status === 'succeeded'), { timeoutMs: 30_000, intervalMs: 250 });
  expect((await setHosts([])).status).toBe(200);
  const removedAt = Date.now();
  const hits = api.hits;
  const next = await waitFor('the next scheduled run to end', async () => (await endsAfter(id, removedAt + 1000))[0], { timeoutMs: 30_000, intervalMs: 250 });
  expect(next).toMatchObject({ status: 'failed', error: { code: 'host-not-allowed', message: expect.stringContaining('127.0.0.1') } });
  // Runs that were already under way when the host was removed may have requested; none fired after did.
  expect(api.hits).toBeLessThanOrEqual(hits + 1);
  expect((await call('DELETE', `/v1/schedules/${id}`)).status).toBeLessThan(300);
});
