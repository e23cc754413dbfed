import mongoose, { type Connection } from 'mongoose';
import { outboundRulesFromEnv } from '@taskyard/address-guard';
import { API_HARVEST_HOST_SETTINGS } from '@taskyard/contracts';
import { startHarness, testJobTypes, type ApiAnswer, type Harness } from './gateway-harness';

// Seed 002's allow-list at submit: an api-harvest task, a workflow or a schedule that would request a host the
// admin did not allow is a 400 naming the host and the setting, and nothing is stored.
let h: Harness;
let db: Connection;
beforeAll(async () => {
  h = await startHarness('gw-harvest-allow-list', {
    // No worker runs here: the accepted tasks stay unfinished.
    jobTypes: testJobTypes((defs) => defs.set('api-harvest', { ...defs.get('api-harvest')!, limits: { ...defs.get('api-harvest')!.limits, unfinishedPerOwner: 20 } })),
    harvestHosts: outboundRulesFromEnv({ API_HARVEST_ALLOWED_HOSTS: 'api.example.com,stats.example.org:8443', API_HARVEST_PRIVATE_HOSTS: 'localhost' }, API_HARVEST_HOST_SETTINGS),
  });
  db = await mongoose.createConnection(h.servers.mongoUrl).asPromise();
});
afterAll(async () => {
  await db?.close();
  await h?.close();
});

const post = (path: string, json: unknown): Promise<ApiAnswer> => h.api('POST', path, { as: 'alice', json });
const harvest = (url: string): Promise<ApiAnswer> => post('/v1/tasks', { type: 'api-harvest', params: { mode: 'single', url } });

function expectRefused(res: ApiAnswer, host: string, field = 'params/url'): void {
  expect({ status: res.status, code: res.body.error?.code }).toEqual({ status: 400, code: 'host-not-allowed' });
  expect(res.body.error?.message).toContain(`${field}: ${host} `);
  expect(res.body.error?.message).toContain(API_HARVEST_HOST_SETTINGS.allowed);
}

test('a task naming a host not on the list is a 400 naming host and setting; allowed hosts are accepted', async () => {
  expect((await harvest('https://api.example.com/v1/items')).status).toBe(202);
  expect((await harvest('https://API.Example.COM./v1/items')).status).toBe(202);
  expect((await harvest('https://stats.example.org:8443/q')).status).toBe(202);
  expect((await harvest('http://localhost:9000/q')).status).toBe(202);
  expectRefused(await harvest('https://evil.example/x'), 'evil.example');
  expectRefused(await harvest('https://api.example.com.evil.example/x'), 'api.example.com.evil.example');
  expectRefused(await harvest('https://stats.example.org/q'), 'stats.example.org');
  expectRefused(await harvest('http://2130706433/latest'), '127.0.0.1');
  expectRefused(await harvest('http://0177.0.0.1/latest'), '127.0.0.1');
  expectRefused(await harvest('http://[::1]:8080/x'), '::1:8080');
  expectRefused(await harvest('http://169.254.169.254/latest/meta-data'), '169.254.169.254');
  // The part before @ is a user name, not the host: refused as such, whatever it says.
  const creds = await harvest('https://api.example.com@evil.example/x');
  expect({ status: creds.status, code: creds.body.error?.code }).toEqual({ status: 400, code: 'invalid-params' });
  expect(creds.body.error?.message).toMatch(/params\/url .*user name or password/);
  // Only the four accepted tasks were stored.
  expect(await db.collection('tasks').countDocuments({ type: 'api-harvest' })).toBe(4);
});

test('a workflow is refused at submit when its first stage, a fan-out item or a fixed stage param names such a host', async () => {
  expect((await post('/v1/workflows', { workflow: 'api-harvest-paged', params: { url: 'https://api.example.com/pages' } })).status).toBe(202);
  expectRefused(await post('/v1/workflows', { workflow: 'api-harvest-paged', params: { url: 'https://evil.example/pages' } }), 'evil.example');
  const pages = { name: 'pages', type: 'api-harvest', kind: 'fan-out', items: 'urls', itemParam: 'url', params: { mode: 'page' } };
  const fanOut = { workflow: { name: 'adhoc-pages', stages: [pages] }, params: { urls: ['https://api.example.com/1', 'https://evil.example/2'] } };
  expectRefused(await post('/v1/workflows', fanOut), 'evil.example', 'params/urls/1/url');
  const later = { name: 'again', type: 'api-harvest', params: { mode: 'single', url: 'https://evil.example/later' }, pass: [] };
  const chain = { workflow: { name: 'adhoc-chain', stages: [{ name: 'first', type: 'api-harvest' }, later] }, params: { mode: 'single', url: 'https://api.example.com/1' } };
  expectRefused(await post('/v1/workflows', chain), 'evil.example', 'workflow/stages/1/params/url');
  expect(await db.collection('tasks').countDocuments({ type: 'workflow' })).toBe(1);
});

test('a schedule that would run such a task or workflow is refused when it is made', async () => {
  const every = { cron: '*/15 * * * *', timezone: 'UTC' };
  expect((await post('/v1/schedules', { ...every, task: { type: 'api-harvest', params: { url: 'https://api.example.com/x' } } })).status).toBe(201);
  expectRefused(await post('/v1/schedules', { ...every, task: { type: 'api-harvest', params: { url: 'https://evil.example/x' } } }), 'evil.example');
  expectRefused(await post('/v1/schedules', { ...every, task: { kind: 'workflow', workflow: 'api-harvest-paged', params: { url: 'http://10.0.0.1/x' } } }), '10.0.0.1');
  // A batch answers per item: the refused one says why, the other is accepted.
  const batch = await post('/v1/tasks:batch', { tasks: [{ type: 'api-harvest', params: { url: 'https://evil.example/b' } }, { type: 'api-harvest', params: { url: 'https://api.example.com/b' } }] });
  expect(JSON.stringify(batch.body)).toContain('host-not-allowed');
  expect(JSON.stringify(batch.body)).toContain('evil.example');
});
