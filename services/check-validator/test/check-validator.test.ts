import { CHECK_ERROR } from '@taskyard/contracts';
import { checkModels, receiveCheck } from '@taskyard/checks';
import { submittedCheck, type CheckSubmission } from '@taskyard/school-data';
import { runDirect } from '@taskyard/school-data/src/testing/direct-job-context';
import { startJobTestEnv, type JobTestEnv } from '@taskyard/school-data/src/testing/job-test-env';
import { worker } from '../src/worker';

let env: JobTestEnv;
beforeAll(async () => (env = await startJobTestEnv('check-validator')));
afterAll(() => env?.close());

async function received(code: string, submission: CheckSubmission): Promise<{ schoolUUID: string; checkCode: string }> {
  await receiveCheck(checkModels(env.conn), submittedCheck({ _id: code, schoolId: 'sch0001', pupilId: 'sch0001-p00001', submission }), `recv-${code}`);
  return { schoolUUID: 'sch0001', checkCode: code };
}
const run = (params: Record<string, unknown>) => runDirect(worker, { params: params as never, db: env.conn, store: env.store });
const stored = async (code: string) => (await checkModels(env.conn).ReceivedCheck.findOne({ _id: `sch0001:${code}` }).lean())!;

test('a complete check validates: validatedAt recorded, its key passed on', async () => {
  const ref = await received('v-ok', 'valid');
  expect((await run(ref)).outcome).toEqual({ result: ref });
  expect((await stored('v-ok')).validatedAt).toBeInstanceOf(Date);
});

test.each([
  ['missing-answers', CHECK_ERROR.invalid, /must have required property 'answers'/],
  ['unreadable', CHECK_ERROR.unreadable, /does not decompress/],
] as const)('a check with %s fails for good with %s, recorded as its validationError', async (submission, code, message) => {
  const ref = await received(`v-${submission}`, submission);
  await expect(run(ref)).rejects.toMatchObject({ name: 'PermanentJobError', code, message: expect.stringMatching(message) });
  expect((await stored(`v-${submission}`)).validationError).toMatch(message);
});

test('a check whose inside names another check is invalid; a duplicate passes by untouched', async () => {
  const ref = await received('v-other', 'valid');
  await checkModels(env.conn).ReceivedCheck.updateOne({ _id: 'sch0001:v-other' }, { $set: { checkData: submittedCheck({ _id: 'v-else', schoolId: 'sch0001', pupilId: 'p', submission: 'valid' }).archive } });
  await expect(run(ref)).rejects.toMatchObject({ code: CHECK_ERROR.invalid, message: expect.stringContaining('sch0001/v-else, but it was sent as sch0001/v-other') });
  expect((await run({ ...ref, duplicateOf: 'first' })).outcome).toEqual({ result: { ...ref, duplicateOf: 'first' } });
  await expect(run({ schoolUUID: 'sch0001', checkCode: 'never-received' })).rejects.toMatchObject({ code: CHECK_ERROR.notReceived });
});
