import mongoose from 'mongoose';
import { apiHarvest, type ScheduleView, type WorkflowView } from '@taskyard/contracts';
import { startProcessStack, testServers, waitFor, type ProcessStack, type TestServers } from '@taskyard/testing';
import { recordsOfPage, startMockApi, type MockApi } from './mock-api';

// Seed 002 against a small local API, with the product running as processes: the paginated run over 1,000
// pages (one failing once, succeeding on its one retry), combined into one file; the one-retry rule; the cron.
let servers: TestServers;
let stack: ProcessStack;
let api: MockApi;
let db: mongoose.Connection;
const FLAKY_PAGE = 500;

async function call<T>(method: string, path: string, body?: unknown): Promise<{ status: number; body: T }> {
  const key = stack.keys.find((k) => k.role === 'user')!.key;
  const res = await fetch(`${stack.gatewayUrl}${path}`, {
    method,
    headers: { authorization: `Bearer ${key}`, ...(body ? { 'content-type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  return { status: res.status, body: (await res.json()) as T };
}

interface TaskBody {
  id: string;
  status: string;
  attempt: number;
  error?: { code: string };
  artifacts: { name: string; url: string }[];
  result?: Record<string, unknown>;
}
const task = async (id: string): Promise<TaskBody> => (await call<TaskBody>('GET', `/v1/tasks/${id}`)).body;
const finishedTask = (id: string): Promise<TaskBody> =>
  waitFor(`task ${id} to finish`, async () => {
    const t = await task(id);
    return ['succeeded', 'failed', 'cancelled'].includes(t.status) ? t : undefined;
  }, { timeoutMs: 60_000, intervalMs: 200 });

beforeAll(async () => {
  servers = await testServers('api-harvest-paged');
  api = await startMockApi({ pages: 1000, failOnce: [FLAKY_PAGE] });
  db = await mongoose.createConnection(servers.mongoUrl).asPromise();
  stack = await startProcessStack({
    servers,
    env: { API_HARVEST_PRIVATE_HOSTS: '127.0.0.1' },
    // The seed's one retry, after a short back-off here; pages run 32 at a time.
    limits: { 'api-harvest': { backoffMs: [200], prefetch: 32 } },
  });
  // One after another: on a loaded machine processes starting at once can each pass their start deadline.
  for (const service of ['api-harvest', 'scheduler']) await stack.add(service);
}, 300_000);
afterAll(async () => {
  await stack?.stop(5000);
  await api?.close();
  await db?.close();
  await servers?.cleanup();
});

test('the seed\'s rule is the type\'s: a 15-minute timeout and exactly one retry', () => {
  expect(apiHarvest.limits).toMatchObject({ timeoutMs: 15 * 60_000, maxAttempts: 2 });
});

test('a paginated run: 1,000 listed pages, one task each, page 500 failing once and succeeding on its retry, combined into one CSV in page order', async () => {
  const submitted = await call<{ id: string }>('POST', '/v1/workflows', { workflow: 'api-harvest-paged', params: { url: `${api.url}/pages`, format: 'csv' } });
  expect(submitted.status).toBe(202);
  const id = submitted.body.id;
  const w = await waitFor(`workflow ${id}`, async () => {
    const v = (await call<WorkflowView>('GET', `/v1/workflows/${id}`)).body;
    return ['succeeded', 'failed', 'cancelled'].includes(v.status) ? v : undefined;
  }, { timeoutMs: 300_000, intervalMs: 1000 });
  expect(w.status).toBe('succeeded');
  expect(w.stages.map((s) => [s.name, s.state])).toEqual([['list', 'succeeded'], ['pages', 'succeeded'], ['combine', 'succeeded']]);
  expect(w.stages[1]).toMatchObject({ total: 1000, done: 1000, failed: 0 });

  const flaky = await task(`${id}.pages.${FLAKY_PAGE}`);
  expect(flaky).toMatchObject({ status: 'succeeded', attempt: 2 });
  expect(api.hits.get(`/page/${FLAKY_PAGE}`)).toBe(2);
  const pageHits = [...api.hits.entries()].filter(([p]) => p.startsWith('/page/'));
  expect(pageHits).toHaveLength(1000);
  expect(pageHits.filter(([, n]) => n !== 1).map(([p]) => p)).toEqual([`/page/${FLAKY_PAGE}`]);

  const combine = await task(`${id}.combine`);
  expect(combine.result).toMatchObject({ pages: 1000, records: 3000, file: 'harvest.csv' });
  const csv = (await (await fetch(combine.artifacts.find((a) => a.name === 'harvest.csv')!.url)).text()).trim().split('\n');
  expect(csv[0]).toBe('id,page,value');
  const expected = Array.from({ length: 1000 }, (_, i) => recordsOfPage(i + 1)).flat().map((r) => `${r.id},${r.page},${r.value}`);
  expect(csv.slice(1)).toEqual(expected);
}, 330_000);

test('a request that fails twice is retried exactly once, then failed', async () => {
  const { body } = await call<{ id: string }>('POST', '/v1/tasks', { type: 'api-harvest', params: { url: `${api.url}/busy` } });
  const t = await finishedTask(body.id);
  expect(t).toMatchObject({ status: 'failed', attempt: 2, error: { code: 'api-unavailable' } });
});

test('on the seed\'s cron (every 15 minutes) a schedule fires on the quarter hours; a schedule by the second runs the request and collect marks its file downloaded once', async () => {
  const quarter = await call<ScheduleView>('POST', '/v1/schedules', { name: 'every 15 minutes', cron: '*/15 * * * *', task: { type: 'api-harvest', params: { url: `${api.url}/data` } } });
  expect(quarter.status).toBe(201);
  expect(quarter.body.nextRuns.length).toBeGreaterThan(0);
  expect(quarter.body.nextRuns.every((r) => new Date(r).getUTCMinutes() % 15 === 0 && new Date(r).getUTCSeconds() === 0)).toBe(true);
  await call('PATCH', `/v1/schedules/${quarter.body.id}`, { paused: true });

  const everySecond = await call<ScheduleView>('POST', '/v1/schedules', { name: 'now', cron: '* * * * * *', task: { type: 'api-harvest', params: { url: `${api.url}/data` } } });
  const fired = await waitFor('the schedule to fire', async () => {
    const s = (await call<ScheduleView>('GET', `/v1/schedules/${everySecond.body.id}`)).body;
    return s.history.find((o) => o.outcome === 'submitted' && o.taskId)?.taskId;
  }, { timeoutMs: 30_000, intervalMs: 250 });
  await call('PATCH', `/v1/schedules/${everySecond.body.id}`, { paused: true });
  expect((await finishedTask(fired)).status).toBe('succeeded');

  const collect = async (): Promise<TaskBody> => finishedTask((await call<{ id: string }>('POST', '/v1/tasks', { type: 'api-harvest', params: { mode: 'collect' } })).body.id);
  const first = await collect();
  expect(first.status).toBe('succeeded');
  expect(first.artifacts.map((a) => a.name)).toContain('collected.json');
  const manifest = (await (await fetch(first.artifacts.find((a) => a.name === 'collected.json')!.url)).json()) as { result: string }[];
  expect(manifest.map((m) => m.result)).toContain(fired);
  // Collected once: a later run finds it downloaded (other files the paused schedule's last occurrences made may still come).
  const second = await collect();
  const again = (await (await fetch(second.artifacts.find((a) => a.name === 'collected.json')!.url)).json()) as { result: string }[];
  expect(again.map((m) => m.result)).not.toContain(fired);
  expect(await db.collection('harvest_results').findOne({ _id: fired } as never)).toMatchObject({ collectKey: 'teacher-1|downloaded', downloadedBy: first.id });
});
