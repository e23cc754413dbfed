import mongoose, { type Connection } from 'mongoose';
import { batchId, schoolId, seedDataset } from '@taskyard/school-data';
import { DEFAULT_KEYS, startProcessStack, testServers, waitFor, type ApiKey, type ProcessStack, type TestServers } from '@taskyard/testing';

// Seed 001's on-demand job request API end to end: the gateway, the status service and the
// assessment-report worker as their own processes, on a seeded school dataset.
let servers: TestServers;
let stack: ProcessStack;
let conn: Connection;

const KEYS: ApiKey[] = [
  ...DEFAULT_KEYS,
  { key: 'test-portal-1-key', principal: 'portal-1', role: 'user', tags: ['client-1', 'client-3', 'client-4', 'client-5'] },
  { key: 'test-portal-2-key', principal: 'portal-2', role: 'user', tags: ['client-2'] },
];
const PORTAL_1 = 'test-portal-1-key';
const PORTAL_2 = 'test-portal-2-key';
const UNBOUND = 'test-user-key';

interface Envelope<R = Record<string, unknown>> {
  id: string;
  ver: string;
  ts: string;
  params: { resmsgid: string; msgid?: string; status: string; err?: string; errmsg?: string };
  responseCode: string;
  result: R;
}
interface JobStatus {
  request_id: string;
  tag: string;
  status: string;
  last_updated: number;
  job_stats: { dt_job_submitted: number; dt_job_completed?: number; execution_time?: number };
  downloadURLs: string[];
  expiresAt?: number;
  attempts: number;
  err_message?: string;
}

async function call<R = JobStatus>(method: string, path: string, key: string | undefined, raw?: string): Promise<{ status: number; body: Envelope<R> }> {
  const headers: Record<string, string> = key ? { authorization: `Bearer ${key}` } : {};
  if (raw !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(stack.gatewayUrl + path, { method, headers, body: raw });
  return { status: res.status, body: (await res.json()) as Envelope<R> };
}
const submit = (body: unknown, key = PORTAL_1) => call('POST', '/job/request/submit', key, typeof body === 'string' ? body : JSON.stringify(body));
const read = (tag: string, id: string, key = PORTAL_1) => call('GET', `/job/request/read/${tag}/${id}`, key);
const settled = (tag: string, id: string, status: string): Promise<JobStatus> =>
  waitFor(`request ${id} to be ${status}`, async () => {
    const r = await read(tag, id);
    return r.body.result.status === status ? r.body.result : undefined;
  }, { timeoutMs: 60_000, intervalMs: 250 });

const envelopeOf = (tag: string, jobConfig: Record<string, unknown>) => ({
  id: 'ekstep.analytics.job.request.submit',
  ver: '1.0',
  ts: '2016-12-07T12:40:40+05:30',
  params: { msgid: '4f04da60-1e24-4d31-aa7b-1daf91c46341' },
  request: { tag, jobId: 'assessment-score-report', jobConfig },
});

beforeAll(async () => {
  servers = await testServers('seed-001');
  conn = await mongoose.createConnection(servers.mongoUrl).asPromise();
  await seedDataset(conn, { schools: 1, pupilsPerSchool: 90, weeks: 0, assessmentsPerBatch: 2, seed: 3 });
  // The seed's sample asks for the channels TPD and NCFCOPY: make sure some batches are on TPD.
  await conn.collection('assessment_batches').updateMany({ _id: { $in: [batchId(schoolId(1), 1), batchId(schoolId(1), 2)] } } as never, { $set: { channel: 'TPD' } });
  stack = await startProcessStack({ servers, keys: KEYS, workers: { 'assessment-report': 1 } });
}, 120_000);
afterAll(async () => {
  await stack?.stop(5000);
  await conn?.close();
  await servers?.cleanup();
});

// The seed's sample request, byte for byte as its document prints it. It does not parse: one closing
// brace too many at the end (its `output_format` closes `jobConfig` early, and the braces were not
// recounted). The only fix: that last brace removed. `output_format` beside `jobConfig` is accepted.
const SEED_SUBMIT = `{
  "id": "ekstep.analytics.job.request.submit",
  "ver": "1.0",
  "ts": "2016-12-07T12:40:40+05:30",
  "params": {
    "msgid": "4f04da60-1e24-4d31-aa7b-1daf91c46341"
  },
  "request": {
    "tag": "client-1",
    "jobId": "assessment-score-report",
    "jobConfig": {
       "batchFilters": [
        "TPD",
        "NCFCOPY"
     ],
    "contentFilters": {
      "request": {
        "filters": {
          "identifier": [
            "do_11305960936384921612216",
            "do_1130934466492252161819"
          ],
          "prevState": "Draft"
        },
        "sort_by": {
          "createdOn": "desc"
        },
        "limit": 10000,
        "fields": [
          "framework",
          "identifier",
          "name",
          "channel",
          "prevState"
        ]
      }
    },
    "reportPath": "course-progress-v2/"
      },
      "output_format": "csv"
    }
  }
}`;

test("the seed's sample request: as printed, a CLIENT_ERROR naming the bad JSON; with its extra brace removed, it runs to downloadable reports", async () => {
  const asPrinted = await submit(SEED_SUBMIT);
  expect(asPrinted.status).toBe(400);
  expect(asPrinted.body).toMatchObject({ id: 'ekstep.analytics.job.request.submit', responseCode: 'CLIENT_ERROR', params: { status: 'failed', err: 'malformed-json' } });

  const fixed = SEED_SUBMIT.replace(/\}\s*$/, '');
  const first = await submit(fixed);
  expect(first.status).toBe(200);
  expect(first.body).toMatchObject({ id: 'ekstep.analytics.job.request.submit', ver: '1.0', responseCode: 'OK', params: { status: 'successful', msgid: '4f04da60-1e24-4d31-aa7b-1daf91c46341' } });
  const id = first.body.result.request_id;
  expect(id).toMatch(/^[0-9a-f]{40}$/);
  expect(first.body.result).toMatchObject({ tag: 'client-1', status: 'SUBMITTED', attempts: 0 });

  const done = await settled('client-1', id, 'COMPLETED');
  expect(done.downloadURLs.length).toBeGreaterThanOrEqual(2);
  expect(done.expiresAt).toBeGreaterThan(Date.now());
  expect(done.job_stats.dt_job_completed).toBeGreaterThanOrEqual(done.job_stats.dt_job_submitted);
  expect(done.last_updated).toBe(done.job_stats.dt_job_completed);
  const csv = await (await fetch(done.downloadURLs[0])).text();
  expect(csv.split('\n')[0]).toContain('batch_id');
  // Read again: the URLs are presigned afresh.
  const again = await read('client-1', id);
  expect(again.body).toMatchObject({ id: 'ekstep.analytics.job.request.info', responseCode: 'OK' });
  expect(again.body.result.downloadURLs.length).toBe(done.downloadURLs.length);

  // The same request while completed answers with the first.
  const repeat = await submit(fixed);
  expect(repeat.body.result).toMatchObject({ request_id: id, status: 'COMPLETED', attempts: 0 });

  const list = await call<{ count: number; jobs: JobStatus[] }>('GET', '/job/request/list/client-1', PORTAL_1);
  expect(list.body).toMatchObject({ id: 'ekstep.analytics.job.request.list', responseCode: 'OK' });
  expect(list.body.result.jobs.map((j) => j.request_id)).toContain(id);
  expect(list.body.result.count).toBe(list.body.result.jobs.length);
}, 90_000);

const race = async (body: unknown): Promise<JobStatus[]> =>
  (await Promise.all(Array.from({ length: 30 }, () => submit(body)))).map((r) => {
    expect(r.status).toBe(200);
    return r.body.result;
  });
const runsOf = (id: string) => conn.collection('job_requests').countDocuments({ requestId: id });
const tasksTagged = (tag: string) => conn.collection('tasks').countDocuments({ tag, parentId: { $exists: false } });

test('30 concurrent identical requests make one request and one task', async () => {
  const answers = await race(envelopeOf('client-3', { batchFilters: { ids: [batchId(schoolId(1), 1)], channels: [] }, output_format: 'json' }));
  const id = answers[0].request_id;
  expect(new Set(answers.map((r) => `${r.request_id}/${r.attempts}`))).toEqual(new Set([`${id}/0`]));
  expect(await runsOf(id)).toBe(1);
  expect(await tasksTagged('client-3')).toBe(1);
  await settled('client-3', id, 'COMPLETED');
}, 60_000);

test('after a FAILED request, 30 concurrent identical ones make one re-run (attempts 1)', async () => {
  // Its batch does not exist yet: the first run fails; then the batch appears and the re-run completes.
  const body = envelopeOf('client-4', { batchFilters: { ids: ['late-batch'], channels: [] }, output_format: 'csv' });
  const id = (await submit(body)).body.result.request_id;
  const failed = await settled('client-4', id, 'FAILED');
  expect(failed).toMatchObject({ attempts: 0 });
  expect(failed.err_message).toContain('late-batch');
  await conn.collection('assessment_batches').insertOne({ _id: 'late-batch', schoolId: schoolId(1), channel: 'TPD', name: 'late' } as never);

  const answers = await race(body);
  expect(new Set(answers.map((r) => `${r.request_id}/${r.attempts}`))).toEqual(new Set([`${id}/1`]));
  expect(await runsOf(id)).toBe(2);
  expect(await tasksTagged('client-4')).toBe(2);
  const done = await settled('client-4', id, 'COMPLETED');
  expect(done).toMatchObject({ attempts: 1 });
  expect(done.err_message).toBeUndefined();
}, 60_000);

test('a request runs at most 3 times: after its third FAILED run, the same request answers with that one', async () => {
  const body = envelopeOf('client-5', { batchFilters: { ids: ['never-batch'], channels: [] } });
  for (let run = 0; run < 3; run++) {
    const r = await submit(body);
    expect(r.body.result.attempts).toBe(run);
    await settled('client-5', r.body.result.request_id, 'FAILED');
  }
  const last = await submit(body);
  expect(last.body.result).toMatchObject({ attempts: 2, status: 'FAILED' });
  expect(await runsOf(last.body.result.request_id)).toBe(3);
}, 60_000);

test("a tag is a client's space: another client's tag or request is not found", async () => {
  const mine = await submit(envelopeOf('client-1', { batchFilters: { ids: [batchId(schoolId(1), 3)], channels: [] } }));
  const id = mine.body.result.request_id;
  const other = await read('client-1', id, PORTAL_2);
  expect(other).toMatchObject({ status: 404, body: { responseCode: 'RESOURCE_NOT_FOUND', params: { status: 'failed', err: 'not-found' } } });
  expect((await call('GET', '/job/request/list/client-1', PORTAL_2)).status).toBe(404);
  expect((await submit(envelopeOf('client-1', { batchFilters: { ids: ['x'], channels: [] } }), PORTAL_2)).status).toBe(404);
  // Its own tag under the wrong name is not found either.
  expect((await read('client-2', id, PORTAL_2)).status).toBe(404);
  // A key bound to no tag sees only the requests it made itself.
  expect((await read('client-1', id, UNBOUND)).status).toBe(404);
  const own = await submit(envelopeOf('client-9', { batchFilters: { ids: [batchId(schoolId(1), 3)], channels: [] } }), UNBOUND);
  expect((await read('client-9', own.body.result.request_id, UNBOUND)).status).toBe(200);
});

test('bad input on every job request route: a 4xx in the seed\'s envelope naming the problem, never a 500', async () => {
  const cases: Array<[string, Promise<{ status: number; body: Envelope<unknown> }>, number, string]> = [
    ['no request', submit({ id: 'ekstep.analytics.job.request.submit', params: {} }), 400, 'CLIENT_ERROR'],
    ['wrong api id', submit({ ...envelopeOf('client-1', {}), id: 'ekstep.something.else' }), 400, 'CLIENT_ERROR'],
    ['unknown jobId', submit({ ...envelopeOf('client-1', {}), request: { tag: 'client-1', jobId: 'course-report', jobConfig: {} } }), 400, 'CLIENT_ERROR'],
    ['bad config', submit(envelopeOf('client-1', { batchFilters: { ids: [], channels: [] } })), 400, 'CLIENT_ERROR'],
    ['bad tag', submit(envelopeOf('client 1/..', {})), 400, 'CLIENT_ERROR'],
    ['not JSON', submit('{"id": '), 400, 'CLIENT_ERROR'],
    ['no key', call('GET', '/job/request/list/client-1', undefined), 401, 'UNAUTHORIZED'],
    ['unknown request', read('client-1', 'a'.repeat(40)), 404, 'RESOURCE_NOT_FOUND'],
    ['malformed request id', read('client-1', 'not-an-id'), 400, 'CLIENT_ERROR'],
    ['bad limit', call('GET', '/job/request/list/client-1?limit=0', PORTAL_1), 400, 'CLIENT_ERROR'],
  ];
  for (const [name, answer, status, code] of cases) {
    const r = await answer;
    expect({ name, status: r.status, code: r.body.responseCode, failed: r.body.params.status }).toEqual({ name, status, code, failed: 'failed' });
    expect(r.body.params.errmsg?.length).toBeGreaterThan(0);
  }
  const unknownJob = await submit({ ...envelopeOf('client-1', {}), request: { tag: 'client-1', jobId: 'course-report', jobConfig: {} } });
  expect(unknownJob.body.params.errmsg).toContain('assessment-score-report');
});
