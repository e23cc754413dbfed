import AdmZip from 'adm-zip';
import mongoose, { type Connection } from 'mongoose';
import { batchId, classId, schoolId, schoolModels, seedDataset } from '@taskyard/school-data';
import { TaskyardClient } from '@taskyard/client';
import type { TaskView } from '@taskyard/contracts';
import { readTask, taskModels, tasksWithEnds, type TaskRecord } from '@taskyard/tasks';
import { testServers, startProcessStack, waitFor, type ProcessStack, type TestServers } from '@taskyard/testing';

// The three job services end to end: submitted over HTTP, run by their own processes, results downloaded.
let servers: TestServers;
let stack: ProcessStack;
let conn: Connection;

const userKey = (): string => stack.keys.find((k) => k.role === 'user')!.key;
const auth = (): Record<string, string> => ({ authorization: `Bearer ${userKey()}` });
// The end-to-end tests use the typed client a user would.
const client = (): TaskyardClient => new TaskyardClient({ baseUrl: stack.gatewayUrl, apiKey: userKey() });

async function submitJson(type: string, params: Record<string, unknown>): Promise<string> {
  const answer = await client().submit({ type, params });
  expect(answer.created).toBe(true);
  return answer.id;
}

const waitForTerminal = (id: string): Promise<TaskView> => client().wait(id);

const download = async (url: string | null): Promise<Buffer> => Buffer.from(await (await fetch(url!)).arrayBuffer());

beforeAll(async () => {
  servers = await testServers('e2e-jobs');
  conn = await mongoose.createConnection(servers.mongoUrl).asPromise();
  await seedDataset(conn, { schools: 1, pupilsPerSchool: 40, weeks: 4, assessmentsPerBatch: 3, seed: 7 });
  stack = await startProcessStack({ servers, workers: { 'spelling-report': 1, 'assessment-report': 1, 'cloud-import': 1 } });
}, 120_000);
afterAll(async () => {
  await stack?.stop(5000);
  await conn?.close();
  await servers?.cleanup();
});

test('a spelling report for one class: report.xlsx and report.csv download', async () => {
  const school = schoolId(1);
  const id = await submitJson('spelling-report', { scope: 'class', schoolId: school, classId: classId(school, 1), from: '2024-09-02', to: '2024-09-29' });
  const t = await waitForTerminal(id);
  expect(t.status).toBe('succeeded');
  expect(t.artifacts.map((a) => a.name).sort()).toEqual(['report.csv', 'report.xlsx']);
  const xlsx = await download(t.artifacts.find((a) => a.name === 'report.xlsx')!.url);
  expect(xlsx.subarray(0, 2).toString()).toBe('PK');
  const csv = (await download(t.artifacts.find((a) => a.name === 'report.csv')!.url)).toString();
  expect(csv.split('\n').length).toBeGreaterThan(2);
});

const getJson = async <T>(path: string, headers = auth()): Promise<{ status: number; body: T }> => {
  const res = await fetch(`${stack.gatewayUrl}${path}`, { headers });
  return { status: res.status, body: (await res.json()) as T };
};

test('an assessment report over two batches fans out; the parent lists every child file', async () => {
  const ids = [batchId(schoolId(1), 1), batchId(schoolId(1), 2)];
  const id = await submitJson('assessment-report', { batchFilters: { ids, channels: [] }, output_format: 'csv' });
  const t = await waitForTerminal(id);
  expect(t.status).toBe('succeeded');
  expect(t.children?.total).toBe(2);
  expect(t.artifacts.map((a) => a.name).sort()).toEqual(ids.map((b) => `report-${b}.csv`).sort());
  for (const a of t.artifacts) expect((await download(a.url)).toString()).toContain(',');

  // The children are listed under their parent, each with its own title, and not among the owner's tasks.
  type Page = { items: (TaskView & { title: string; parentId?: string })[]; nextCursor?: string };
  const children = await getJson<Page>(`/v1/tasks/${id}/children`);
  expect(children.status).toBe(200);
  expect(children.body.items.map((c) => [c.title, c.parentId, c.status])).toEqual(ids.map((b) => [`Assessment report, batch ${b}`, id, 'succeeded']));
  const first = await getJson<Page>(`/v1/tasks/${id}/children?limit=1`);
  expect(first.body.items.map((c) => c.id)).toEqual([children.body.items[0].id]);
  const second = await getJson<Page>(`/v1/tasks/${id}/children?limit=1&cursor=${first.body.nextCursor}`);
  expect(second.body.items.map((c) => c.id)).toEqual([children.body.items[1].id]);
  expect(second.body.nextCursor).toBeUndefined();
  const listed = (await getJson<Page>('/v1/tasks?type=assessment-report&limit=100')).body.items;
  expect(listed.map((x) => x.id)).toContain(id);
  expect(listed.filter((x) => x.parentId)).toEqual([]);
  // Another owner's parent is not found, and a cursor not given out is refused.
  const otherUser = stack.keys.find((k) => k.role === 'user' && k.key !== userKey())!;
  expect((await getJson(`/v1/tasks/${id}/children`, { authorization: `Bearer ${otherUser.key}` })).status).toBe(404);
  expect((await getJson<{ error: { code: string } }>(`/v1/tasks/${id}/children?cursor=nonsense`)).body.error.code).toBe('invalid-request');
});

test('a fan-out that skipped a batch says so in its result, kept once its children finish', async () => {
  const kept = batchId(schoolId(1), 1);
  const { channel } = (await schoolModels(conn).AssessmentBatch.findById(kept).lean())!;
  // A batch published on another channel than the one asked for.
  const other = `${schoolId(1)}-b-elsewhere`;
  await schoolModels(conn).AssessmentBatch.create({ _id: other, schoolId: schoolId(1), channel: `not-${channel}`, name: 'Elsewhere' });
  const ids = [kept, other];
  const id = await submitJson('assessment-report', { batchFilters: { ids, channels: [channel] }, output_format: 'csv' });
  const t = await waitForTerminal(id);
  expect(t.status).toBe('succeeded');
  expect(t.result?.partial).toEqual([{ count: 1, of: 2, one: 'batch skipped (not on the chosen channels)', other: 'batches skipped (not on the chosen channels)' }]);
});

test('an uploaded zip imports its good rows and reports the bad ones', async () => {
  const zip = new AdmZip();
  zip.addFile('pupils.csv', Buffer.from(['pupil_id,school_id,class_id,given_name,family_name', `${schoolId(1)}-p99001,${schoolId(1)},${classId(schoolId(1), 1)},Nia,Okafor`, `${schoolId(1)}-p99002,${schoolId(1)},no-such-class,Ann,Lee`].join('\n')));
  const data = new Blob([new Uint8Array(zip.toBuffer())], { type: 'application/zip' });
  const { id, created } = await client().submitZip({ type: 'cloud-import', title: 'pupils', params: {} }, { name: 'pupils.zip', data });
  expect(created).toBe(true);
  const t = await waitForTerminal(id);
  expect(t.status).toBe('succeeded');
  const names = t.artifacts.map((a) => a.name);
  expect(names).toEqual(expect.arrayContaining(['summary.json', 'rejected-pupils.csv']));
  const rejected = (await download(t.artifacts.find((a) => a.name === 'rejected-pupils.csv')!.url)).toString();
  expect(rejected).toContain('class_id');
  expect(await conn.collection('pupils').countDocuments({ _id: `${schoolId(1)}-p99001` as never })).toBe(1);
  expect(await conn.collection('pupils').countDocuments({ _id: `${schoolId(1)}-p99002` as never })).toBe(0);
});

/** What a report that did not end is waiting on: its record, its children by status/attempt, the outputs counted. */
async function reportState(id: string): Promise<string> {
  type Stored = { status: string; attempt: number; progress: number; workflow?: { stages: unknown[] }; logs?: { message: string }[] };
  const { Task } = taskModels(conn);
  const doc = await readTask<Stored & { _id: string }>(Task, id, {}, 10_000);
  const children: Record<string, number> = {};
  for (const c of await tasksWithEnds<Stored & { _id: string }>(Task, { parentId: id }, { status: 1, attempt: 1 }, 10_000)) {
    children[`${c.status}/${c.attempt}`] = (children[`${c.status}/${c.attempt}`] ?? 0) + 1;
  }
  const outputs = await conn.collection('workflow_outputs').countDocuments({ ws: `${id}/batch` } as never);
  const early = await conn.collection('workflow_early_events').countDocuments({ parent: id } as never);
  const record = doc && { status: doc.status, attempt: doc.attempt, progress: doc.progress, stages: doc.workflow?.stages, lastLogs: doc.logs?.slice(-5).map((l) => l.message) };
  return JSON.stringify({ record, children, outputs, early });
}

// Last in this file: it kills and restarts the stack's status service.
test('the status service killed while it starts a report\'s batches: every batch still runs once, the report ends once', async () => {
  const N = 150;
  const school = schoolId(1);
  await schoolModels(conn).AssessmentBatch.insertMany(Array.from({ length: N }, (_, i) => ({ _id: `${school}-kill-${i + 1}`, schoolId: school, channel: 'KILL', name: `kill ${i + 1}` })));
  const id = await submitJson('assessment-report', { batchFilters: { ids: [], channels: ['KILL'] }, output_format: 'csv' });
  const tasks = conn.collection('tasks');
  // The children are inserted 32 at a time before the report's own write: kill as soon as the first are there
  // (a probe run found 32 children and the report not yet written at the kill).
  await waitFor('the first children', async () => (await tasks.countDocuments({ parentId: id } as never)) > 0, { timeoutMs: 60_000, intervalMs: 10 });
  const status = stack.processes.find((p) => p.name === 'status')!;
  status.child.kill('SIGKILL');
  await new Promise((r) => status.child.once('exit', r));
  await stack.add('status');
  const t = await waitFor('the report to end', async () => {
    const got = (await getJson<TaskView>(`/v1/tasks/${id}`)).body;
    return ['succeeded', 'failed', 'cancelled'].includes(got.status) ? got : undefined;
  }, { timeoutMs: 200_000, intervalMs: 250 }).catch(async (err: Error) => {
    throw new Error(`${err.message}; the report as stored: ${await reportState(id)}`);
  });
  expect(t).toMatchObject({ status: 'succeeded', children: { total: N, done: N, failed: 0 }, result: { fannedOut: N } });
  expect(t.artifacts).toHaveLength(N);
  // Each child as it is: its end is a document of its own (task-outcome.ts).
  const children = await tasksWithEnds<{ _id: string; status: string; attempt: number }>(taskModels(conn).Task, { parentId: id }, {}, 10_000);
  expect(children).toHaveLength(N);
  expect(children.filter((c) => c.status !== 'succeeded' || c.attempt !== 1)).toEqual([]);
  expect(await conn.collection('workflow_outputs').countDocuments({ ws: `${id}/batch` } as never)).toBe(N);
  const stored = (await readTask<TaskRecord>(taskModels(conn).Task, id, {}, 10_000))!;
  expect(stored.logs.filter((l) => l.message.startsWith('stage batch started'))).toHaveLength(1);
}, 300_000);
