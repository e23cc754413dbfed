import { schoolModels, seedDataset, submittedCheck } from '@taskyard/school-data';
import { runDirect } from '@taskyard/school-data/src/testing/direct-job-context';
import { startJobTestEnv, type JobTestEnv } from '@taskyard/school-data/src/testing/job-test-env';
import { checkModels } from '@taskyard/checks';
import { worker } from '../src/worker';

let env: JobTestEnv;

beforeAll(async () => {
  env = await startJobTestEnv('check-receiver');
  await seedDataset(env.conn, { schools: 1, pupilsPerSchool: 3, weeks: 0, assessmentsPerBatch: 0, checksPerPupil: 1, invalidChecksEvery: 0 });
});
afterAll(() => env?.close());

const run = (params: ReturnType<typeof submittedCheck>, taskId: string) => runDirect(worker, { params, db: env.conn, store: env.store, taskId });

test('a check is stored as it came and the school\'s record says when it was received; a second receipt within a day does nothing', async () => {
  const record = (await schoolModels(env.conn).PupilCheck.findOne().lean())!;
  const msg = submittedCheck(record);
  const first = await run(msg, 'task-1');
  expect(first.outcome).toEqual({ result: { schoolUUID: record.schoolId, checkCode: record._id } });
  const after = (await schoolModels(env.conn).PupilCheck.findOne({ _id: record._id }).lean())!;
  expect(after.state).toBe('received');
  expect(after.receivedByServerAt).toBeInstanceOf(Date);
  const stored = (await checkModels(env.conn).ReceivedCheck.findOne({ _id: `${record.schoolId}:${record._id}` }).lean())!;
  expect(stored.checkData).toBe(msg.archive);

  const again = await run(msg, 'task-2');
  expect(again.outcome).toEqual({ result: { schoolUUID: record.schoolId, checkCode: record._id, duplicateOf: 'task-1' } });
  expect((await schoolModels(env.conn).PupilCheck.findOne({ _id: record._id }).lean())!.receivedByServerAt).toEqual(after.receivedByServerAt);
});

test('a check the school has no record of is still stored, with the failed update noted on it (the seed\'s sqlUpdateError)', async () => {
  const msg = submittedCheck({ _id: 'unknown-code', schoolId: 'sch0001', pupilId: 'sch0001-p00009', submission: 'valid' });
  await run(msg, 'task-3');
  const stored = (await checkModels(env.conn).ReceivedCheck.findOne({ _id: 'sch0001:unknown-code' }).lean())!;
  expect(stored.checkUpdateError).toMatch(/unknown-code of school sch0001 is not in the school's records/);
});
