import { createHash } from 'node:crypto';
import mongoose, { type Connection } from 'mongoose';
import { createLogger } from '@taskyard/logging';
import { explainFind, waitFor } from '@taskyard/testing';
import { startGateway, type RunningGateway } from '../src/gateway';
import { keyOf, startHarness, testJobTypes, type Harness } from './gateway-harness';

let h: Harness;
let other: RunningGateway;
let conn: Connection;

beforeAll(async () => {
  h = await startHarness('gw-api-keys');
  // A second replica on the same servers, trusting a lookup for a short time only.
  other = await startGateway({
    port: 0,
    host: '127.0.0.1',
    servers: h.servers,
    jobTypes: testJobTypes(),
    keys: [{ key: keyOf('admin'), principal: 'admin', role: 'admin' }],
    logger: createLogger('gateway-test-2'),
    keyCacheMs: 300,
  });
  conn = await mongoose.createConnection(h.servers.mongoUrl).asPromise();
});
afterAll(async () => {
  await conn?.close();
  await other?.close();
  await h?.close();
});

interface KeyView {
  id: string;
  prefix: string;
  principal: string;
  role: string;
  tags?: string[];
  submitsPerMinute?: number;
  lastUsedAt: string | null;
}

async function createKey(body: Record<string, unknown>): Promise<{ key: string; apiKey: KeyView }> {
  const res = await h.api<{ key: string; apiKey: KeyView }>('POST', '/v1/admin/api-keys', { as: 'admin', json: body });
  expect(res.status).toBe(201);
  return res.body;
}

/** A request with a raw key, to either gateway. */
async function withKey(key: string, method: string, path: string, json?: unknown, url = h.gateway.url) {
  const res = await fetch(url + path, {
    method,
    headers: { authorization: `Bearer ${key}`, ...(json === undefined ? {} : { 'content-type': 'application/json' }) },
    body: json === undefined ? undefined : JSON.stringify(json),
  });
  return { status: res.status, headers: res.headers, body: (await res.json()) as { error?: { code: string; message: string } } & Record<string, unknown> };
}

const quick = (tag?: string) => ({ type: 'diagnostic', params: { sleepMs: 1 }, ...(tag ? { tag } : {}) });

test('an admin creates a key that works at once on every gateway, is stored hashed, and is listed with when it was last used', async () => {
  const { key, apiKey } = await createKey({ principal: 'zoe', role: 'user', label: 'zoe laptop' });
  expect(apiKey).toMatchObject({ principal: 'zoe', role: 'user', lastUsedAt: null, prefix: key.slice(0, 12) });

  expect((await withKey(key, 'GET', '/v1/me')).body).toEqual({ principal: 'zoe', role: 'user' });
  expect((await withKey(key, 'GET', '/v1/me', undefined, other.url)).body).toEqual({ principal: 'zoe', role: 'user' });

  // Only the hash is stored: the key appears nowhere in the database.
  const stored = await conn.collection('api_keys').find({}).toArray();
  expect(JSON.stringify(stored)).not.toContain(key);
  expect(JSON.stringify(stored)).not.toContain(key.slice(12));
  // A request's key is found by equality on its hash, which a unique index serves (no scan per request).
  const indexes = await conn.collection('api_keys').indexes();
  expect(indexes.find((i) => i.key.hash === 1)).toMatchObject({ unique: true });

  const listed = await waitFor('last use recorded', async () => {
    const res = await h.api<{ items: KeyView[] }>('GET', '/v1/admin/api-keys', { as: 'admin' });
    const mine = res.body.items.find((k) => k.id === apiKey.id);
    return mine?.lastUsedAt ? mine : undefined;
  });
  expect(Date.parse(listed.lastUsedAt!)).toBeGreaterThan(Date.now() - 60_000);
});

test('a revoked key is refused at once by the gateway that revoked it and soon by the others', async () => {
  const { key, apiKey } = await createKey({ principal: 'yann', role: 'user' });
  expect((await withKey(key, 'GET', '/v1/me', undefined, other.url)).status).toBe(200);

  const revoked = await h.api<KeyView>('DELETE', `/v1/admin/api-keys/${apiKey.id}`, { as: 'admin' });
  expect(revoked.status).toBe(200);
  expect(revoked.body.id).toBe(apiKey.id);
  const refused = await withKey(key, 'GET', '/v1/me');
  expect(refused.status).toBe(401);
  expect(refused.body.error?.code).toBe('unauthorized');
  await waitFor('the other gateway to refuse it', async () => (await withKey(key, 'GET', '/v1/me', undefined, other.url)).status === 401);

  const again = await h.api('DELETE', `/v1/admin/api-keys/${apiKey.id}`, { as: 'admin' });
  expect(again.status).toBe(404);
  expect(again.body.error?.code).toBe('not-found');
  const listed = await h.api<{ items: KeyView[] }>('GET', '/v1/admin/api-keys', { as: 'admin' });
  expect(listed.body.items.map((k) => k.id)).not.toContain(apiKey.id);
});

test('a key limited to tags submits and sees tasks of those tags only', async () => {
  const open = await createKey({ principal: 'xena', role: 'user' });
  const limited = await createKey({ principal: 'xena', role: 'user', tags: ['school-1'] });
  const other = (await withKey(open.key, 'POST', '/v1/tasks', quick('school-2'))).body.id as string;

  expect((await withKey(limited.key, 'GET', '/v1/me')).body).toEqual({ principal: 'xena', role: 'user', tags: ['school-1'] });
  const defaulted = await withKey(limited.key, 'POST', '/v1/tasks', quick());
  expect(defaulted.status).toBe(202);
  expect((await withKey(limited.key, 'GET', `/v1/tasks/${defaulted.body.id as string}`)).body.tag).toBe('school-1');

  const refused = await withKey(limited.key, 'POST', '/v1/tasks', quick('school-2'));
  expect(refused.status).toBe(403);
  expect(refused.body.error?.message).toContain('school-2');

  const list = await withKey(limited.key, 'GET', '/v1/tasks');
  expect((list.body.items as { id: string }[]).map((t) => t.id)).toEqual([defaulted.body.id]);
  expect((await withKey(limited.key, 'GET', '/v1/tasks?tag=school-2')).status).toBe(403);
  expect((await withKey(limited.key, 'GET', `/v1/tasks/${other}`)).status).toBe(404);
  expect((await withKey(limited.key, 'GET', `/v1/tasks/${other}/logs`)).status).toBe(404);
  expect((await withKey(limited.key, 'POST', `/v1/tasks/${other}/cancel`)).status).toBe(404);

  // Nor in a batch.
  const batch = await withKey(limited.key, 'POST', '/v1/tasks:batch', { tasks: [quick(), quick('school-2')] });
  expect(batch.status).toBe(403);
  expect(batch.body.error?.message).toContain('school-2');

  // Nor can it schedule tasks of another tag; its schedules' tasks get its tag.
  const schedule = (tag?: string) => ({ cron: '0 3 * * *', task: { ...quick(tag) } });
  expect((await withKey(limited.key, 'POST', '/v1/schedules', schedule('school-2'))).status).toBe(403);
  const scheduled = await withKey(limited.key, 'POST', '/v1/schedules', schedule());
  expect(scheduled.status).toBe(201);
  expect(scheduled.body).toMatchObject({ template: { tag: 'school-1' } });
});

test('submissions past a key\'s rate are refused with 429 and Retry-After', async () => {
  const { key } = await createKey({ principal: 'walt', role: 'user', submitsPerMinute: 2 });
  expect((await withKey(key, 'POST', '/v1/tasks', quick())).status).toBe(202);
  expect((await withKey(key, 'POST', '/v1/tasks', quick())).status).toBe(202);
  const limited = await withKey(key, 'POST', '/v1/tasks', quick());
  expect(limited.status).toBe(429);
  expect(limited.body.error?.code).toBe('rate-limited');
  const retryAfter = Number(limited.headers.get('retry-after'));
  expect(retryAfter).toBeGreaterThanOrEqual(1);
  expect(retryAfter).toBeLessThanOrEqual(60);
  // Reads are not limited, and another key of the same owner has its own count.
  expect((await withKey(key, 'GET', '/v1/tasks')).status).toBe(200);
  const second = await createKey({ principal: 'walt', role: 'user', submitsPerMinute: 2 });
  expect((await withKey(second.key, 'POST', '/v1/tasks', quick())).status).toBe(202);
});

test('only an admin key without tag limits manages keys; bad requests name the problem', async () => {
  expect((await h.api('GET', '/v1/admin/api-keys', { as: 'alice' })).status).toBe(403);
  const tenantAdmin = await createKey({ principal: 'vera', role: 'admin', tags: ['school-9'] });
  expect((await withKey(tenantAdmin.key, 'GET', '/v1/admin/api-keys')).status).toBe(403);

  const bad = await h.api('POST', '/v1/admin/api-keys', { as: 'admin', json: { principal: 'x', role: 'root' } });
  expect(bad.status).toBe(400);
  expect(bad.body.error?.message).toContain('role');
  expect((await h.api('POST', '/v1/admin/api-keys', { as: 'admin', json: { role: 'user' } })).status).toBe(400);
  expect((await h.api('DELETE', '/v1/admin/api-keys/key_nope', { as: 'admin' })).status).toBe(404);
});

test("a request's key is found through an index, not by scanning the keys, however many there are", async () => {
  // Enough keys that the planner would rather scan if no index could serve the lookup.
  const many = Array.from({ length: 3000 }, (_, i) => ({
    _id: `key_bulk${i}`,
    hash: createHash('sha256').update(`bulk-${i}`).digest('hex'),
    prefix: 'ty_user_bulk',
    principal: `bulk-${i % 50}`,
    role: 'user',
    createdAt: new Date(),
    createdBy: 'admin',
  }));
  for (let i = 0; i < many.length; i += 500) await conn.collection('api_keys').insertMany(many.slice(i, i + 500) as never[]);
  const { key } = await createKey({ principal: 'uma', role: 'user' });
  expect((await withKey(key, 'GET', '/v1/me')).status).toBe(200);

  const byHash = await explainFind(conn, 'api_keys', { hash: createHash('sha256').update(key).digest('hex') });
  expect({ nodes: byHash.nodes, indexed: byHash.indexed }).toEqual({ nodes: byHash.nodes, indexed: true });
  const byId = await explainFind(conn, 'api_keys', { _id: 'key_bulk1234' });
  expect({ nodes: byId.nodes, indexed: byId.indexed }).toEqual({ nodes: byId.nodes, indexed: true });
  // The check can fail: a field no index serves is scanned.
  expect((await explainFind(conn, 'api_keys', { principal: 'bulk-7' })).indexed).toBe(false);
});
