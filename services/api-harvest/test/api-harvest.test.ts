import { directJobContext, runDirect } from '@taskyard/school-data/src/testing/direct-job-context';
import { startJobTestEnv, type JobTestEnv } from '@taskyard/school-data/src/testing/job-test-env';
import type { ApiHarvestParams, StageOutput } from '@taskyard/contracts';
import { harvestConfigFromEnv } from '../src/harvest-config';
import { harvestModels } from '../src/harvest-results';
import { apiHarvestWorker } from '../src/worker';
import { recordsOfPage, startMockApi, type MockApi } from './mock-api';

let env: JobTestEnv;
let api: MockApi;
// The local API is on 127.0.0.1: allowed, and allowed to be private. `localhost` is allowed but not private.
const worker = apiHarvestWorker(harvestConfigFromEnv({ API_HARVEST_PRIVATE_HOSTS: '127.0.0.1', API_HARVEST_ALLOWED_HOSTS: 'localhost,api.example.com' }));

beforeAll(async () => {
  env = await startJobTestEnv('api-harvest');
  api = await startMockApi({ pages: 1000 });
});
afterAll(async () => {
  await api?.close();
  await env?.close();
});

const run = (params: ApiHarvestParams, taskId?: string) => runDirect(worker, { params, db: env.conn, store: env.store, taskId });

test('a single request keeps the answer in S3 as it came, waiting to be collected', async () => {
  const done = await run({ url: `${api.url}/data` }, 'single-1');
  expect(done.artifacts.map((a) => a.name)).toEqual(['response.json']);
  expect(JSON.parse((await env.store.getBuffer(done.artifacts[0].key)).toString())).toEqual(recordsOfPage(0));
  expect(await harvestModels(env.conn).HarvestResult.findOne({ _id: 'single-1' }).lean()).toMatchObject({ owner: 'test-owner', collectKey: 'test-owner|ready' });
});

test.each([
  ['a host not on the allow-list', 'http://example.org/data', 'host-not-allowed', /example.org is not on the hosts an administrator allows/],
  ['an allowed name that resolves to loopback', 'http://localhost:1/data', 'address-refused', /localhost resolves to .*loopback, private or link-local/],
  ['a metadata address', 'http://169.254.169.254/latest/meta-data/', 'host-not-allowed', /169.254.169.254 is not on the hosts/],
  ['credentials in the address', 'http://user:pw@127.0.0.1/data', 'bad-url', /user name or password/],
  ['a scheme other than http(s)', 'file:///etc/passwd', 'bad-url', /only http and https/],
])('%s is refused before any request, for good', async (_what, url, code, message) => {
  await expect(run({ url })).rejects.toMatchObject({ name: 'PermanentJobError', code, message: expect.stringMatching(message) });
});

test('a redirect is not followed, a 404 fails for good, a 503 is worth the one retry', async () => {
  await expect(run({ url: `${api.url}/redirect` })).rejects.toMatchObject({ name: 'PermanentJobError', code: 'redirect-refused' });
  await expect(run({ url: `${api.url}/nothing-here` })).rejects.toMatchObject({ name: 'PermanentJobError', code: 'api-refused' });
  await expect(run({ url: `${api.url}/busy` })).rejects.toMatchObject({ name: 'RetriableJobError', code: 'api-unavailable' });
});

test('a listing of 1,000 page links is read and resolved; a page is kept under its place in the listing', async () => {
  const listed = await run({ mode: 'list', url: `${api.url}/pages`, format: 'csv' });
  const pages = (listed.outcome as { result: { pages: string[] } }).result.pages;
  expect(pages).toHaveLength(1000);
  expect(pages[999]).toBe(`${api.url}/page/1000`);
  expect(listed.outcome).toMatchObject({ result: { listUrl: `${api.url}/pages`, format: 'csv' } });
  const one = await run({ mode: 'page', url: pages[41] });
  expect(one.artifacts[0].name).toBe('page-0001.json');
  expect(JSON.parse((await env.store.getBuffer(one.artifacts[0].key)).toString())).toEqual({ data: recordsOfPage(42) });
});

test('collect takes each file not yet collected exactly once, however many collect runs race', async () => {
  for (const id of ['c-1', 'c-2', 'c-3']) await run({ url: `${api.url}/data` }, id);
  const runs = await Promise.all(Array.from({ length: 4 }, (_, i) => run({ mode: 'collect' }, `collect-${i}`)));
  const collected = runs.flatMap((r) => r.artifacts.filter((a) => a.name !== 'collected.json').map((a) => a.name));
  // single-1 from the first test too: four files in all, each in exactly one run.
  expect(collected).toHaveLength(4);
  const results = await harvestModels(env.conn).HarvestResult.find({ collectKey: 'test-owner|downloaded' }).lean();
  expect(results.map((r) => r._id).sort()).toEqual(['c-1', 'c-2', 'c-3', 'single-1']);
  expect(new Set(results.map((r) => r.downloadedBy)).size).toBeGreaterThanOrEqual(1);
  const again = await run({ mode: 'collect' }, 'collect-later');
  expect(again.outcome).toEqual({ result: { collected: 0, left: 0 } });
});

test('combine writes every page\'s records in listing order, whatever order the pages finished in', async () => {
  const outputs: StageOutput[] = [];
  for (const n of [3, 1, 2]) {
    const done = await run({ mode: 'page', url: `${api.url}/page/${n}` });
    outputs.push({ item: n - 1, taskId: `page-${n}`, result: done.outcome ? (done.outcome.result as Record<string, unknown>) : undefined, artifacts: done.artifacts });
  }
  for (const format of ['jsonl', 'csv'] as const) {
    const direct = directJobContext<ApiHarvestParams>({ type: 'api-harvest', params: { mode: 'combine', format }, db: env.conn, store: env.store });
    const ctx = Object.assign(direct.ctx, { stageResults: async function* () { yield* outputs; } });
    const outcome = await worker.handler(ctx);
    expect(outcome).toMatchObject({ result: { pages: 3, records: 9, file: `harvest.${format}` } });
    const text = (await env.store.getBuffer(direct.artifacts[0].key)).toString().trim().split('\n');
    const records = [1, 2, 3].flatMap(recordsOfPage);
    expect(text).toEqual(format === 'jsonl' ? records.map((r) => JSON.stringify(r)) : ['id,page,value', ...records.map((r) => `${r.id},${r.page},${r.value}`)]);
  }
});
