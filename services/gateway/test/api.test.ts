import type { TaskView } from '../src/task-view';
import { keyOf, startHarness, type Harness } from './gateway-harness';

let h: Harness;
beforeAll(async () => {
  h = await startHarness('gw-api');
});
afterAll(() => h?.close());

const submit = (as: string, json: unknown, headers?: Record<string, string>) => h.api('POST', '/v1/tasks', { as, json, headers });

describe('authentication', () => {
  test('401 without a key, with a bad key and with a malformed header, in the error shape', async () => {
    const attempts: Record<string, string>[] = [{}, { authorization: 'Bearer nope-not-a-key' }, { authorization: keyOf('alice') }];
    for (const headers of attempts) {
      const res = await h.api('GET', '/v1/tasks', { headers });
      expect(res.status).toBe(401);
      expect(res.body.error?.code).toBe('unauthorized');
      expect(JSON.stringify(res.body)).not.toMatch(/stack|at .*\.ts/);
    }
  });

  test('GET /v1/me names the key holder', async () => {
    expect((await h.api('GET', '/v1/me', { as: 'alice' })).body).toEqual({ principal: 'alice', role: 'user' });
    expect((await h.api('GET', '/v1/me', { as: 'admin' })).body).toEqual({ principal: 'admin', role: 'admin' });
  });

  test('the key is not accepted in the query string outside the event stream', async () => {
    const res = await h.api('GET', `/v1/tasks?access_token=${keyOf('alice')}`);
    expect(res.status).toBe(401);
  });
});

describe('submitting and reading', () => {
  test('202 with a status URL; the owner reads it; another owner gets 404; an admin sees it', async () => {
    const res = await submit('alice', { type: 'diagnostic', title: 'Smoke', params: { sleepMs: 10 }, tag: 'school-1' });
    expect(res.status).toBe(202);
    expect(res.body).toEqual({ id: expect.any(String), status: 'queued', statusUrl: `/v1/tasks/${String(res.body.id)}` });
    expect(res.headers.get('location')).toBe(res.body.statusUrl);

    const mine = await h.api<TaskView>('GET', String(res.body.statusUrl), { as: 'alice' });
    expect(mine.status).toBe(200);
    expect(mine.body).toMatchObject({ id: res.body.id, type: 'diagnostic', title: 'Smoke', owner: 'alice', tag: 'school-1', status: 'queued', progress: 0, attempt: 0, maxAttempts: 3, artifacts: [], params: { sleepMs: 10 } });
    expect(Date.parse(mine.body.createdAt)).toBeGreaterThan(Date.now() - 60_000);
    expect(mine.body).not.toHaveProperty('slotId');
    expect(mine.body).not.toHaveProperty('logs');

    const theirs = await h.api('GET', String(res.body.statusUrl), { as: 'bob' });
    expect(theirs.status).toBe(404);
    expect(theirs.body.error?.code).toBe('not-found');
    expect((await h.api('GET', String(res.body.statusUrl), { as: 'admin' })).status).toBe(200);
    expect((await h.api('GET', `${String(res.body.statusUrl)}/logs`, { as: 'bob' })).status).toBe(404);
    expect((await h.api('GET', `${String(res.body.statusUrl)}/logs`, { as: 'alice' })).body).toEqual({ lines: [] });
  });

  test('the title defaults to the job type title', async () => {
    const res = await submit('erin', { type: 'diagnostic', params: {} });
    expect((await h.api<TaskView>('GET', `/v1/tasks/${String(res.body.id)}`, { as: 'erin' })).body.title).toBe('Diagnostic');
  });

  test('malformed JSON → 400 malformed-json', async () => {
    const res = await h.api('POST', '/v1/tasks', { as: 'alice', headers: { 'content-type': 'application/json' }, body: '{"type": "diagnostic", ' });
    expect(res.status).toBe(400);
    expect(res.body.error?.code).toBe('malformed-json');
  });

  test('unknown type → 400 unknown-type', async () => {
    const res = await submit('alice', { type: 'no-such-type', params: {} });
    expect(res.status).toBe(400);
    expect(res.body.error?.code).toBe('unknown-type');
    expect(res.body.error?.message).toContain('no-such-type');
  });

  test('schema violations → 400 invalid-params naming the failing path', async () => {
    const bad = await submit('alice', {
      type: 'spelling-report',
      params: { scope: 'class', schoolId: 's1', from: 'yesterday', to: '2025-01-31' },
    });
    expect(bad.status).toBe(400);
    expect(bad.body.error?.code).toBe('invalid-params');
    const details = bad.body.error?.details as { instancePath: string; message: string }[];
    expect(details.map((d) => d.instancePath)).toContain('/from');
    expect(bad.body.error?.message).toContain('params/from');
    expect(bad.body.error?.message).toContain('params/classId');

    const wrongType = await submit('alice', { type: 'diagnostic', params: { sleepMs: 'long' } });
    expect(wrongType.status).toBe(400);
    expect(wrongType.body.error?.message).toContain('params/sleepMs must be integer');

    const extra = await submit('alice', { type: 'diagnostic', params: { surprise: 1 } });
    expect(extra.body.error?.message).toContain('params/surprise');

    const envelope = await submit('alice', { type: 'diagnostic', params: {}, colour: 'red' });
    expect(envelope.status).toBe(400);
    expect(envelope.body.error?.code).toBe('invalid-params');
    expect(envelope.body.error?.message).toContain('body/colour');
  });

  test('a text body → 415; an unknown route → 404 in the error shape', async () => {
    const text = await h.api('POST', '/v1/tasks', { as: 'alice', headers: { 'content-type': 'text/plain' }, body: 'hello' });
    expect(text.status).toBe(415);
    expect(text.body.error?.code).toBe('unsupported-media-type');
    const missing = await h.api('GET', '/v1/nothing-here', { as: 'alice' });
    expect(missing.status).toBe(404);
    expect(missing.body.error?.code).toBe('not-found');
  });

  test('lists newest first with filters and an opaque cursor', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) ids.push(String((await submit('carol', { type: 'diagnostic', params: {}, tag: 't-list' })).body.id));
    await submit('carol', { type: 'spelling-report', params: { scope: 'school', schoolId: 's', from: '2025-01-01', to: '2025-02-01' } });

    type Page = { items: TaskView[]; nextCursor?: string };
    const first = await h.api<Page>('GET', '/v1/tasks?type=diagnostic&limit=2', { as: 'carol' });
    expect(first.body.items.map((t) => t.id)).toEqual([ids[2], ids[1]]);
    expect(first.body.nextCursor).toEqual(expect.any(String));
    const second = await h.api<Page>('GET', `/v1/tasks?type=diagnostic&limit=2&cursor=${first.body.nextCursor}`, { as: 'carol' });
    expect(second.body.items.map((t) => t.id)).toEqual([ids[0]]);
    expect(second.body.nextCursor).toBeUndefined();

    expect((await h.api<Page>('GET', '/v1/tasks?tag=t-list', { as: 'carol' })).body.items).toHaveLength(3);
    expect((await h.api<Page>('GET', '/v1/tasks?status=running', { as: 'carol' })).body.items).toHaveLength(0);
    expect((await h.api<Page>('GET', '/v1/tasks', { as: 'bob' })).body.items.every((t) => t.owner === 'bob')).toBe(true);
    const all = await h.api<Page>('GET', '/v1/tasks?limit=100', { as: 'admin' });
    expect(new Set(all.body.items.map((t) => t.owner)).size).toBeGreaterThan(1);

    const badLimit = await h.api('GET', '/v1/tasks?limit=1000', { as: 'carol' });
    expect(badLimit.status).toBe(400);
    expect(badLimit.body.error?.code).toBe('invalid-request');
    expect((await h.api('GET', '/v1/tasks?cursor=garbage', { as: 'carol' })).body.error?.code).toBe('invalid-request');
  });

  test('cancel answers 202, and 409 for a terminal task is covered by the state machine tests', async () => {
    const res = await submit('dave', { type: 'diagnostic', params: {} });
    const cancel = await h.api('POST', `/v1/tasks/${String(res.body.id)}/cancel`, { as: 'dave' });
    expect(cancel.status).toBe(202);
    expect(cancel.body).toEqual({ id: res.body.id, status: 'queued' });
    expect((await h.api('POST', `/v1/tasks/${String(res.body.id)}/cancel`, { as: 'bob' })).status).toBe(404);
  });
});

describe('job types, docs and health', () => {
  test('GET /v1/job-types lists schemas and limits', async () => {
    type Types = { items: { type: string; paramsSchema: { properties?: Record<string, unknown> }; limits: { unfinishedPerOwner: number }; upload?: { maxBytes: number } }[] };
    const res = await h.api<Types>('GET', '/v1/job-types', { as: 'alice' });
    expect(res.status).toBe(200);
    const byType = new Map(res.body.items.map((t) => [t.type, t]));
    expect([...byType.keys()].sort()).toEqual(['api-harvest', 'assessment-report', 'check-marker', 'check-notifier', 'check-receiver', 'check-validator', 'cloud-import', 'diagnostic', 'spelling-report', 'upf-report']);
    expect(byType.get('spelling-report')!.paramsSchema.properties).toHaveProperty('schoolId');
    expect(byType.get('diagnostic')!.limits.unfinishedPerOwner).toBe(3);
    expect(byType.get('cloud-import')!.upload!.maxBytes).toBeGreaterThan(0);
    expect(byType.get('diagnostic')!.upload).toBeUndefined();
  });

  test('healthz, readyz, metrics and the OpenAPI docs need no key', async () => {
    expect((await h.api('GET', '/healthz')).body).toEqual({ status: 'ok' });
    const ready = await h.api('GET', '/readyz');
    expect(ready.status).toBe(200);
    expect(ready.body.checks).toEqual({ database: true, broker: true, storage: true });
    const metrics = await h.api('GET', '/metrics');
    expect(String(metrics.body)).toContain('taskyard_tasks_submitted_total');
    const spec = await h.api<{ paths: Record<string, unknown> }>('GET', '/docs/json');
    expect(Object.keys(spec.body.paths)).toEqual(expect.arrayContaining(['/v1/tasks', '/v1/tasks/{id}', '/v1/tasks/{id}/events', '/v1/admin/queues']));
    expect((await fetch(`${h.gateway.url}/docs`, { redirect: 'manual' })).status).toBeLessThan(400);
  });
});

describe('admin', () => {
  test('403 for a user key', async () => {
    for (const [method, path] of [['GET', '/v1/admin/queues'], ['GET', '/v1/admin/dead-letters/diagnostic'], ['POST', '/v1/admin/dead-letters/diagnostic/replay']]) {
      const res = await h.api(method, path, { as: 'alice', json: method === 'POST' ? {} : undefined });
      expect(res.status).toBe(403);
      expect(res.body.error?.code).toBe('forbidden');
    }
  });

  test('queue depths per job type from the management API, without credentials in the link', async () => {
    type Queues = { items: { type: string; queue: string; ready: number; unacked: number; consumers: number; dead: number }[]; managementUrl: string };
    const res = await h.api<Queues>('GET', '/v1/admin/queues', { as: 'admin' });
    expect(res.status).toBe(200);
    const diag = res.body.items.find((q) => q.type === 'diagnostic')!;
    expect(diag.queue).toBe('tasks.diagnostic');
    expect(diag.consumers).toBe(0);
    expect(diag).toEqual({ type: 'diagnostic', queue: 'tasks.diagnostic', ready: expect.any(Number), unacked: 0, consumers: 0, dead: 0, paused: false });
    expect(new URL(res.body.managementUrl)).toMatchObject({ username: '', password: '' });
  });
});
