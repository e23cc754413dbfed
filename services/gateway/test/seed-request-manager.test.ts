import { spawn } from 'node:child_process';
import path from 'node:path';
import mongoose, { type Connection } from 'mongoose';
import { classId, schoolId, seedDataset } from '@taskyard/school-data';
import { DEFAULT_KEYS, startProcessStack, testServers, waitFor, type ApiKey, type ProcessStack, type TestServers } from '@taskyard/testing';

// Seed 000's Request Manager API and external HTTP processors, end to end: the gateway, the status
// service and the spelling-report worker as their own processes; the processors are this test.
let servers: TestServers;
let stack: ProcessStack;
let conn: Connection;

const KEYS: ApiKey[] = [
  ...DEFAULT_KEYS,
  { key: 'test-processor-a-key', principal: 'processor-a', role: 'processor' },
  { key: 'test-processor-b-key', principal: 'processor-b', role: 'processor' },
];
const USER = 'test-user-key';
const ADMIN = 'test-admin-key';
const PROC_A = 'test-processor-a-key';
const PROC_B = 'test-processor-b-key';
// Short enough that the killed-processor test waits seconds, not minutes; the live processors below keep
// their leases with heartbeats, however slow the machine.
const LEASE_MS = 3000;

interface Answer<T> {
  status: number;
  body: T;
}
type Loose = Record<string, unknown> & { error?: { code: string; message: string } };

async function call<T = Loose>(method: string, path: string, key: string | undefined, body?: unknown, raw?: string): Promise<Answer<T>> {
  const headers: Record<string, string> = key ? { authorization: `Bearer ${key}` } : {};
  if (body !== undefined || raw !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(stack.gatewayUrl + path, { method, headers, body: raw ?? (body === undefined ? undefined : JSON.stringify(body)) });
  const text = await res.text();
  return { status: res.status, body: (text ? JSON.parse(text) : undefined) as T };
}

interface RequestView {
  requestId: string;
  title: string;
  artifacts: string[];
  status: number;
  errorMessage: string;
}
interface Claimed {
  leaseId: string;
  leaseExpiresAt: string;
  task: { id: string; type: string; params: Record<string, unknown>; attempt: number };
}

const requestsOf = async (type: string, profile: string): Promise<RequestView[]> => (await call<RequestView[]>('GET', `/requests/${type}/${profile}`, USER)).body;
const requestOf = (type: string, profile: string, id: string, status: number): Promise<RequestView> =>
  waitFor(`request ${id} to reach status ${status}`, async () => (await requestsOf(type, profile)).find((r) => r.requestId === id && r.status === status), {
    timeoutMs: 60_000,
    intervalMs: 200,
  });
const download = async (url: string): Promise<Buffer> => Buffer.from(await (await fetch(url)).arrayBuffer());
const claim = (key: string, name: string): Promise<Answer<Claimed>> => call<Claimed>('POST', `/v1/job-types/upf-report/claim?processor=${name}`, key);

/** What a live processor does while it works: heartbeats well within the lease. */
function keepLease(key: string, c: Claimed): () => void {
  const timer = setInterval(() => void call('POST', `/v1/tasks/${c.task.id}/heartbeat`, key, { leaseId: c.leaseId }).catch(() => undefined), LEASE_MS / 6);
  return () => clearInterval(timer);
}

async function upload(key: string, c: Claimed, name: string, bytes: string): Promise<void> {
  const ticket = await call<{ uploadUrl: string; contentType: string }>('POST', `/v1/tasks/${c.task.id}/uploads`, key, {
    leaseId: c.leaseId,
    name,
    contentType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  });
  expect(ticket.status).toBe(200);
  const put = await fetch(ticket.body.uploadUrl, { method: 'PUT', headers: { 'content-type': ticket.body.contentType }, body: bytes });
  expect(put.status).toBe(200);
}

beforeAll(async () => {
  servers = await testServers('seed-000');
  conn = await mongoose.createConnection(servers.mongoUrl).asPromise();
  await seedDataset(conn, { schools: 1, pupilsPerSchool: 20, weeks: 4, assessmentsPerBatch: 1, seed: 5 });
  stack = await startProcessStack({
    servers,
    keys: KEYS,
    workers: { 'spelling-report': 1 },
    limits: { 'upf-report': { leaseMs: LEASE_MS, backoffMs: [1000], maxAttempts: 3 } },
  });
}, 120_000);
afterAll(async () => {
  await stack?.stop(5000);
  await conn?.close();
  await servers?.cleanup();
});

// The seed's POST sample as its document prints it. `"profileId" " 2345` cannot parse (a quote where the
// colon belongs) and `"{json}"` is a placeholder, not JSON text: those two are all that is fixed below.
const SEED_POST = '{ "type": "GenerateSpellingReport", "title": "3A Weekly Report", "profileId" " 2345, "requestDetail": "{json}" }';
// The seed's PUT sample, byte for byte: it parses as it is.
const SEED_PUT =
  '{ "artifacts": [" /GenerateSpellingReport/ {requestId} /report.xlsx", " /GenerateSpellingReport/ {requestId} /report_combined.xlsx"], "status": 2, "errorMessage": " " }';

test("the seed's POST sample: as printed it does not parse (400 naming it); fixed, it runs to a downloadable report", async () => {
  const asPrinted = await call('POST', '/requests', USER, undefined, SEED_POST);
  expect(asPrinted.status).toBe(400);
  expect(asPrinted.body.error?.code).toBe('malformed-json');

  const school = schoolId(1);
  const detail = JSON.stringify({ scope: 'class', schoolId: school, classId: classId(school, 1), from: '2024-09-02', to: '2024-09-29' });
  const fixed = SEED_POST.replace('"profileId" " 2345', '"profileId": 2345').replace('"{json}"', JSON.stringify(detail));
  const submitted = await call<{ requestId: string }>('POST', '/requests', USER, undefined, fixed);
  expect(submitted.status).toBe(200);
  expect(submitted.body.requestId).toMatch(/^[0-9a-f-]{36}$/);

  const done = await requestOf('GenerateSpellingReport', '2345', submitted.body.requestId, 2);
  expect(done).toMatchObject({ title: '3A Weekly Report', errorMessage: '' });
  expect(done.artifacts).toHaveLength(2);
  const files = await Promise.all(done.artifacts.map(download));
  expect(files.some((f) => f.subarray(0, 2).toString() === 'PK')).toBe(true);
  // Another user's list of the same type does not hold it.
  expect(await requestsOf('GenerateSpellingReport', '2346')).toEqual([]);
});

test('bad input on every Request Manager route: a 4xx in the platform\'s error body naming the problem', async () => {
  const unknownType = await call('POST', '/requests', USER, { type: 'GenerateNothing', profileId: 1 });
  expect(unknownType.status).toBe(400);
  expect(unknownType.body.error?.message).toContain('GenerateSpellingReport');
  const badDetail = await call('POST', '/requests', USER, { type: 'GenerateUPFReport', profileId: 1, requestDetail: '{not json' });
  expect(badDetail).toMatchObject({ status: 400, body: { error: { code: 'malformed-json' } } });
  const badProfile = await call('POST', '/requests', USER, { type: 'GenerateUPFReport', profileId: '../x' });
  expect(badProfile.status).toBe(400);
  const badParams = await call('POST', '/requests', USER, { type: 'GenerateSpellingReport', profileId: 1, requestDetail: { scope: 'galaxy' } });
  expect(badParams).toMatchObject({ status: 400, body: { error: { code: 'invalid-params' } } });
  expect((await call('POST', '/requests', undefined, { type: 'GenerateUPFReport', profileId: 1 })).status).toBe(401);
  expect((await call('GET', '/requests/GenerateNothing/1', USER)).body.error?.code).toBe('unknown-type');
  expect((await call('GET', '/requests/GenerateUPFReport/a%20b', USER)).status).toBe(400);
  expect((await call('PUT', '/requests/no-such-request', USER, { status: 2 })).status).toBe(403);
  expect((await call('PUT', '/requests/no-such-request', PROC_A, { status: 2 })).status).toBe(404);
  expect((await call('PUT', '/requests/no-such-request', PROC_A, { status: 7 })).status).toBe(400);
  expect((await call('POST', '/v1/job-types/upf-report/claim', USER)).status).toBe(403);
  expect((await call('POST', '/v1/job-types/spelling-report/claim', PROC_A)).body.error?.code).toBe('not-processed-outside');
  expect((await call('POST', '/v1/job-types/nothing/claim', PROC_A)).body.error?.code).toBe('unknown-type');
  expect((await call('POST', '/v1/job-types/upf-report/claim?processor=a%20b', PROC_A)).status).toBe(400);
  expect((await call('POST', '/v1/tasks/no-such-task/heartbeat', PROC_A, {})).body.error?.code).toBe('invalid-params');
  expect((await call('POST', '/v1/tasks/no-such-task/heartbeat', PROC_A, { leaseId: 'x' })).status).toBe(404);
  expect((await call('POST', '/v1/tasks/no-such-task/complete', PROC_A, { leaseId: 'x', status: 'done' })).status).toBe(400);
  expect((await call('POST', '/v1/tasks/no-such-task/uploads', PROC_A, { leaseId: 'x', name: '../etc/passwd' })).status).toBe(400);
  const queued = await call<{ requestId: string }>('POST', '/requests', USER, { type: 'GenerateSpellingReport', profileId: 77, requestDetail: { scope: 'school', schoolId: schoolId(1), from: '2024-09-02', to: '2024-09-08' } });
  const notOutside = await call('POST', `/v1/tasks/${queued.body.requestId}/complete`, PROC_A, { leaseId: 'x', status: 'succeeded' });
  expect(notOutside).toMatchObject({ status: 400, body: { error: { code: 'not-processed-outside' } } });
});

test('an external processor claims, heartbeats, uploads and completes with the seed\'s PUT; a racing second one never gets the task; a late PUT gets 409', async () => {
  const { body } = await call<{ requestId: string }>('POST', '/requests', USER, { type: 'GenerateUPFReport', title: 'UPF 3A', profileId: 9001, requestDetail: '{"term":"T1"}' });
  const id = body.requestId;

  const [a, b] = await Promise.all([claim(PROC_A, 'a'), claim(PROC_B, 'b')]);
  const winner = a.status === 200 ? { key: PROC_A, c: a.body } : { key: PROC_B, c: b.body };
  const loser = a.status === 200 ? { key: PROC_B, answer: b } : { key: PROC_A, answer: a };
  expect([a.status, b.status].sort()).toEqual([200, 204]);
  expect(winner.c.task).toMatchObject({ id, type: 'upf-report', params: { term: 'T1' }, attempt: 1 });
  // The loser cannot act on it either.
  expect((await call('POST', `/v1/tasks/${id}/heartbeat`, loser.key, { leaseId: winner.c.leaseId })).status).toBe(403);
  expect((await call('PUT', `/requests/${id}`, loser.key, undefined, SEED_PUT)).status).toBe(403);

  const stopBeating = keepLease(winner.key, winner.c);
  const beat = await call<{ leaseExpiresAt: string }>('POST', `/v1/tasks/${id}/heartbeat`, winner.key, { leaseId: winner.c.leaseId, progress: 50 });
  expect(beat.status).toBe(200);
  expect(Date.parse(beat.body.leaseExpiresAt)).toBeGreaterThanOrEqual(Date.parse(winner.c.leaseExpiresAt));
  await requestOf('GenerateUPFReport', '9001', id, 1);

  const missing = await call('PUT', `/requests/${id}`, winner.key, undefined, SEED_PUT);
  expect(missing).toMatchObject({ status: 400, body: { error: { code: 'invalid-params' } } });
  await upload(winner.key, winner.c, 'report.xlsx', 'PK-report');
  await upload(winner.key, winner.c, 'report_combined.xlsx', 'PK-combined');
  stopBeating();
  expect((await call('PUT', `/requests/${id}`, winner.key, undefined, SEED_PUT)).status).toBe(200);

  const done = await requestOf('GenerateUPFReport', '9001', id, 2);
  expect((await Promise.all(done.artifacts.map(download))).map(String).sort()).toEqual(['PK-combined', 'PK-report']);
  const late = await call('PUT', `/requests/${id}`, winner.key, undefined, SEED_PUT);
  expect(late).toMatchObject({ status: 409, body: { error: { code: 'lease-lost' } } });
  expect((await call('POST', `/v1/tasks/${id}/heartbeat`, winner.key, { leaseId: winner.c.leaseId })).status).toBe(409);
}, 60_000);

test('a processor killed mid-task loses its lease: the task is offered again (attempt 2), finishes once, and the dead one\'s late PUT gets 409', async () => {
  const { body } = await call<{ requestId: string }>('POST', '/requests', USER, { type: 'GenerateUPFReport', profileId: 9002, requestDetail: { term: 'T2' } });
  const id = body.requestId;
  const first = await claim(PROC_A, 'doomed');
  expect(first.body.task).toMatchObject({ id, attempt: 1 });
  // processor-a dies here: no heartbeat, no report. processor-b polls as a processor would.
  const second = await waitFor('the task to be offered again', async () => {
    const c = await claim(PROC_B, 'survivor');
    return c.status === 200 ? c.body : undefined;
  }, { timeoutMs: 40_000, intervalMs: 250 });
  expect(second.task).toMatchObject({ id, attempt: 2 });
  const done = await call('POST', `/v1/tasks/${id}/complete`, PROC_B, { leaseId: second.leaseId, status: 'succeeded', artifacts: ['https://cdn.example.org/upf/report.pdf'] });
  expect(done.status).toBe(200);

  const lateDead = await call('PUT', `/requests/${id}`, PROC_A, { status: 3, errorMessage: 'I was away' });
  expect(lateDead.status).toBe(409);
  const lateOld = await call('POST', `/v1/tasks/${id}/complete`, PROC_A, { leaseId: first.body.leaseId, status: 'failed', error: { message: 'late' } });
  expect(lateOld.status).toBe(409);

  const finished = await requestOf('GenerateUPFReport', '9002', id, 2);
  expect(finished.artifacts).toEqual(['https://cdn.example.org/upf/report.pdf']);
  const task = await waitFor('the task to be folded', async () => {
    const t = (await call<{ status: string; attempt: number; error?: unknown }>('GET', `/v1/tasks/${id}`, ADMIN)).body;
    return t.status === 'succeeded' ? t : undefined;
  }, { timeoutMs: 10_000, intervalMs: 200 });
  expect(task.attempt).toBe(2);
  // Nothing else is waiting: the dead processor's attempt was written off once, not re-offered twice.
  expect((await claim(PROC_A, 'a')).status).toBe(204);
}, 60_000);

test('processors take a high-priority task first, and nothing of a paused type', async () => {
  const submit = async (title: string, priority: string): Promise<string> =>
    (await call<{ id: string }>('POST', '/v1/tasks', USER, { type: 'upf-report', title, params: {}, priority })).body.id;
  const normal = await submit('normal one', 'normal');
  const high = await submit('urgent one', 'high');
  await conn.collection('job_type_pauses').insertOne({ _id: 'upf-report', by: 'test', at: new Date() } as never);
  expect((await claim(PROC_A, 'a')).status).toBe(204);
  await conn.collection('job_type_pauses').deleteOne({ _id: 'upf-report' } as never);
  const first = await claim(PROC_A, 'a');
  const second = await claim(PROC_A, 'a');
  expect([first.body.task.id, second.body.task.id]).toEqual([high, normal]);
  for (const c of [first.body, second.body]) expect((await call('POST', `/v1/tasks/${c.task.id}/complete`, PROC_A, { leaseId: c.leaseId, status: 'cancelled' })).status).toBe(200);
});

test("a user's fourth unfinished request of a type gets the seed's refusal (429) in our error body; another user is not affected", async () => {
  for (let i = 0; i < 3; i++) expect((await call('POST', '/requests', USER, { type: 'GenerateUPFReport', profileId: 555, requestDetail: {} })).status).toBe(200);
  const fourth = await call('POST', '/requests', USER, { type: 'GenerateUPFReport', profileId: 555, requestDetail: {} });
  expect(fourth).toMatchObject({ status: 429, body: { error: { code: 'quota-exceeded' } } });
  expect((await call('POST', '/requests', USER, { type: 'GenerateUPFReport', profileId: 556, requestDetail: {} })).status).toBe(200);
  const waiting = await requestsOf('GenerateUPFReport', '555');
  expect(waiting.map((r) => r.status)).toEqual([0, 0, 0]);
  // A report on a request no processor has claimed changes nothing.
  expect((await call('PUT', `/requests/${waiting[0].requestId}`, PROC_A, { status: 2 })).body.error?.code).toBe('lease-lost');
});

test('the documented processor example (docs/http-processor.mjs), run as its own process, takes a request through to its file', async () => {
  const child = spawn(process.execPath, [path.resolve(__dirname, '../docs/http-processor.mjs')], {
    env: { ...process.env, GATEWAY: stack.gatewayUrl, KEY: PROC_A, TYPE: 'upf-report', HEARTBEAT_MS: '500' },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  try {
    const { body } = await call<{ requestId: string }>('POST', '/requests', USER, { type: 'GenerateUPFReport', title: 'UPF example', profileId: 9003, requestDetail: { term: 'T3' } });
    const done = await requestOf('GenerateUPFReport', '9003', body.requestId, 2);
    expect((await download(done.artifacts[0])).toString()).toBe('UPF example: {"term":"T3"}\n');
    expect(child.exitCode).toBeNull();
  } finally {
    // Killed between two claims it may still have one under way: this is the file's last test.
    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));
  }
}, 60_000);
