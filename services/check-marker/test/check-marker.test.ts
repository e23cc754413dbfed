import { CHECK_ERROR } from '@taskyard/contracts';
import { checkModels, receiveCheck } from '@taskyard/checks';
import { completedCheck, submittedCheck, type CheckSubmission } from '@taskyard/school-data';
import { runDirect } from '@taskyard/school-data/src/testing/direct-job-context';
import { startJobTestEnv, type JobTestEnv } from '@taskyard/school-data/src/testing/job-test-env';
import { worker } from '../src/worker';

let env: JobTestEnv;
beforeAll(async () => (env = await startJobTestEnv('check-marker')));
afterAll(() => env?.close());

const check = (code: string, submission: CheckSubmission) => ({ _id: code, schoolId: 'sch0001', pupilId: 'sch0001-p00001', submission });
async function received(code: string, submission: CheckSubmission): Promise<{ schoolUUID: string; checkCode: string }> {
  await receiveCheck(checkModels(env.conn), submittedCheck(check(code, submission)), `recv-${code}`);
  return { schoolUUID: 'sch0001', checkCode: code };
}
const run = (params: Record<string, unknown>) => runDirect(worker, { params: params as never, db: env.conn, store: env.store });
const stored = async (code: string) => (await checkModels(env.conn).ReceivedCheck.findOne({ _id: `sch0001:${code}` }).lean())!;

test('the score is recorded against the stored check: one mark per right product', async () => {
  const ref = await received('m-ok', 'valid');
  const body = completedCheck(check('m-ok', 'valid'));
  const right = body.answers.filter((a) => Number(a.answer) === a.factor1 * a.factor2).length;
  expect((await run(ref)).outcome).toEqual({ result: { ...ref, mark: right, maxMark: 25 } });
  expect(await stored('m-ok')).toMatchObject({ mark: right, maxMark: 25, markedAt: expect.any(Date) });
});

test('an answer to a question never asked cannot be marked: markError recorded, failed for good', async () => {
  const ref = await received('m-bad', 'unmarkable');
  await expect(run(ref)).rejects.toMatchObject({ name: 'PermanentJobError', code: CHECK_ERROR.unmarkable, message: 'an answer to question 32, which the check did not ask' });
  expect(await stored('m-bad')).toMatchObject({ markError: 'an answer to question 32, which the check did not ask' });
  expect((await stored('m-bad')).mark).toBeUndefined();
});
