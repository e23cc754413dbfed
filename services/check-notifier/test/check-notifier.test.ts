import { CHECK_ERROR } from '@taskyard/contracts';
import { checkModels, receiveCheck } from '@taskyard/checks';
import { schoolModels, seedDataset, submittedCheck } from '@taskyard/school-data';
import { runDirect } from '@taskyard/school-data/src/testing/direct-job-context';
import { startJobTestEnv, type JobTestEnv } from '@taskyard/school-data/src/testing/job-test-env';
import { worker } from '../src/worker';

let env: JobTestEnv;
let codes: string[];
beforeAll(async () => {
  env = await startJobTestEnv('check-notifier');
  await seedDataset(env.conn, { schools: 1, pupilsPerSchool: 3, weeks: 0, assessmentsPerBatch: 0, checksPerPupil: 1, invalidChecksEvery: 0 });
  codes = (await schoolModels(env.conn).PupilCheck.find().lean()).map((c) => c._id).sort();
  for (const code of codes) await receiveCheck(checkModels(env.conn), submittedCheck({ _id: code, schoolId: 'sch0001', pupilId: 'p', submission: 'valid' }), `recv-${code}`);
});
afterAll(() => env?.close());

const run = (params: Record<string, unknown>) => runDirect(worker, { params: params as never, db: env.conn, store: env.store });
const record = async (code: string) => (await schoolModels(env.conn).PupilCheck.findOne({ _id: code }).lean())!;

test('complete: the school\'s check is complete with the stored mark, and no teacher is notified', async () => {
  await checkModels(env.conn).ReceivedCheck.updateOne({ _id: `sch0001:${codes[0]}` }, { $set: { mark: 21, maxMark: 25 } });
  const done = await run({ schoolUUID: 'sch0001', checkCode: codes[0], outcome: 'complete' });
  expect(done.outcome).toMatchObject({ result: { outcome: 'complete', teacherNotified: false } });
  expect(await record(codes[0])).toMatchObject({ state: 'complete', mark: 21, maxMark: 25, completedAt: expect.any(Date) });
  expect(await checkModels(env.conn).TeacherNotification.countDocuments({ schoolUUID: 'sch0001' })).toBe(0);
});

test('processing failure: the check\'s state says why, and its teacher gets one notice, however often it is told', async () => {
  const error = { code: CHECK_ERROR.invalid, message: "not a completed check: / must have required property 'answers'" };
  const notice = { schoolUUID: 'sch0001', checkCode: codes[1], outcome: 'processing-failure', error };
  expect((await run(notice)).outcome).toMatchObject({ result: { teacherNotified: true } });
  expect((await run(notice)).outcome).toMatchObject({ result: { teacherNotified: false } });
  expect(await record(codes[1])).toMatchObject({ state: 'processing-failure', processingError: error, processingFailedAt: expect.any(Date) });
  const notices = await checkModels(env.conn).TeacherNotification.find({ schoolUUID: 'sch0001' }).lean();
  expect(notices).toEqual([expect.objectContaining({ checkCode: codes[1], pupilId: (await record(codes[1])).pupilId, code: CHECK_ERROR.invalid, message: expect.stringContaining("must have required property 'answers'") })]);
});

test('a duplicate notifies nothing', async () => {
  await run({ schoolUUID: 'sch0001', checkCode: codes[2], outcome: 'complete', duplicateOf: 'first' });
  expect((await record(codes[2])).state).toBe('allocated');
});
