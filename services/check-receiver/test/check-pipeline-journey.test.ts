import mongoose from 'mongoose';
import { CHECK_ERROR, type WorkflowView } from '@taskyard/contracts';
import { checkModels } from '@taskyard/checks';
import { completedCheck, schoolModels, seedDataset, submittedCheck, type CheckSubmission, type PupilCheckRecord } from '@taskyard/school-data';
import { startProcessStack, testServers, waitFor, type ProcessStack, type TestServers } from '@taskyard/testing';

// Seed 004's journey through HTTP, against the product running as processes: valid, invalid and duplicate
// checks through the check-pipeline workflow (receive, validate, mark, notify; notify-failure on a failure).
let servers: TestServers;
let stack: ProcessStack;
let db: mongoose.Connection;
let checks: PupilCheckRecord[];

const KINDS: CheckSubmission[] = ['valid', 'valid', 'missing-answers', 'unreadable', 'unmarkable'];

async function api<T>(path: string, init: RequestInit = {}): Promise<{ status: number; body: T }> {
  const key = stack.keys.find((k) => k.role === 'user')!.key;
  const res = await fetch(`${stack.gatewayUrl}${path}`, { ...init, headers: { authorization: `Bearer ${key}`, ...(init.body ? { 'content-type': 'application/json' } : {}) } });
  return { status: res.status, body: (await res.json()) as T };
}

async function submit(check: PupilCheckRecord): Promise<string> {
  const res = await api<{ id: string }>('/v1/workflows', { method: 'POST', body: JSON.stringify({ workflow: 'check-pipeline', params: submittedCheck(check) }) });
  expect(res.status).toBe(202);
  return res.body.id;
}

const finished = (id: string): Promise<WorkflowView> =>
  waitFor(`workflow ${id} to finish`, async () => {
    const w = (await api<WorkflowView>(`/v1/workflows/${id}`)).body;
    return ['succeeded', 'failed', 'cancelled'].includes(w.status) ? w : undefined;
  }, { timeoutMs: 90_000, intervalMs: 250 });

const stateOf = (w: WorkflowView): string[][] => w.stages.map((s) => [s.name, s.state]);
const record = async (code: string) => (await schoolModels(db).PupilCheck.findOne({ _id: code }).lean())!;
const stored = async (c: PupilCheckRecord) => (await checkModels(db).ReceivedCheck.findOne({ _id: `${c.schoolId}:${c._id}` }).lean())!;
const notices = (c: PupilCheckRecord) => checkModels(db).TeacherNotification.find({ checkCode: c._id }).lean();

let runs: WorkflowView[];
let duplicateRuns: WorkflowView[];

beforeAll(async () => {
  servers = await testServers('check-pipeline');
  db = await mongoose.createConnection(servers.mongoUrl).asPromise();
  await seedDataset(db, { schools: 1, pupilsPerSchool: KINDS.length, weeks: 0, assessmentsPerBatch: 0, checksPerPupil: 1, invalidChecksEvery: 0 });
  checks = (await schoolModels(db).PupilCheck.find().lean()).sort((a, b) => a._id.localeCompare(b._id)).map((c, i) => ({ ...c, submission: KINDS[i] }));
  stack = await startProcessStack({ servers });
  // One after another: on a loaded machine six processes starting at once can each pass their start deadline.
  for (const worker of ['check-receiver', 'check-validator', 'check-marker', 'check-notifier']) await stack.add(worker);
  // Every check once, and the first valid check twice more at the same moment: a pupil's browser re-sending it.
  const ids = await Promise.all([...checks, checks[0], checks[0]].map(submit));
  const all = await Promise.all(ids.map(finished));
  runs = all.slice(0, checks.length);
  duplicateRuns = [all[0], ...all.slice(checks.length)];
}, 400_000);
afterAll(async () => {
  await db?.close();
  await stack?.stop(5000);
  await servers?.cleanup();
});

test('a valid check is received, validated, marked and complete: the score is on the stored check and the school\'s record', async () => {
  const c = checks[1];
  expect(runs[1].status).toBe('succeeded');
  expect(stateOf(runs[1])).toEqual([['receive', 'succeeded'], ['validate', 'succeeded'], ['mark', 'succeeded'], ['notify', 'succeeded']]);
  const body = completedCheck(c);
  const right = body.answers.filter((a) => Number(a.answer) === a.factor1 * a.factor2).length;
  expect(await stored(c)).toMatchObject({ checkData: submittedCheck(c).archive, validatedAt: expect.any(Date), mark: right, maxMark: 25 });
  expect(await record(c._id)).toMatchObject({ state: 'complete', mark: right, maxMark: 25, receivedByServerAt: expect.any(Date), completedAt: expect.any(Date) });
  expect(await notices(c)).toEqual([]);
});

test.each([
  [2, 'validate', CHECK_ERROR.invalid],
  [3, 'validate', CHECK_ERROR.unreadable],
  [4, 'mark', CHECK_ERROR.unmarkable],
] as const)('check %i fails at %s with %s: processing failure on the school\'s record and one notice to the teacher', async (i, stage, code) => {
  const c = checks[i];
  const w = runs[i];
  expect(w.status).toBe('failed');
  expect(w.stages.find((s) => s.name === stage)).toMatchObject({ state: 'failed', error: { code } });
  expect(w.stages.find((s) => s.name === 'notify')!.state).not.toBe('succeeded');
  expect(w.onFailure).toMatchObject({ name: 'notify-failure', state: 'succeeded' });
  expect(await record(c._id)).toMatchObject({ state: 'processing-failure', processingError: { code } });
  expect(await stored(c)).toMatchObject(stage === 'validate' ? { validationError: expect.any(String) } : { markError: expect.any(String), validatedAt: expect.any(Date) });
  expect(await notices(c)).toEqual([expect.objectContaining({ schoolUUID: c.schoolId, pupilId: c.pupilId, code })]);
});

test('the same check sent three times at once is processed once: one receipt, the others pass through as duplicates', async () => {
  const c = checks[0];
  expect(duplicateRuns.map((w) => w.status)).toEqual(['succeeded', 'succeeded', 'succeeded']);
  const receipts = await Promise.all(duplicateRuns.map(async (w) => (await api<{ result?: { duplicateOf?: string } }>(`/v1/tasks/${w.id}.receive`)).body.result));
  const firsts = receipts.filter((r) => !r?.duplicateOf);
  expect(firsts).toHaveLength(1);
  const winner = duplicateRuns[receipts.indexOf(firsts[0])];
  expect((await stored(c)).receivedBy).toBe(`${winner.id}.receive`);
  expect(receipts.filter((r) => r?.duplicateOf).map((r) => r!.duplicateOf)).toEqual([`${winner.id}.receive`, `${winner.id}.receive`]);
  const marks = await Promise.all(duplicateRuns.map(async (w) => (await api<{ result?: { mark?: number } }>(`/v1/tasks/${w.id}.mark`)).body.result?.mark));
  expect(marks.filter((m) => m !== undefined)).toHaveLength(1);
  expect(await record(c._id)).toMatchObject({ state: 'complete' });
  expect(await checkModels(db).ReceivedCheck.countDocuments({ checkCode: c._id })).toBe(1);
});
