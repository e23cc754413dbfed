import { CHECK_ERROR, type CheckRef } from '@taskyard/contracts';
import { CheckInvalid, CheckUnreadable, checkModels, hydrateCheck, receivedCheckId } from '@taskyard/checks';
import { defineWorker, PermanentJobError, type JobContext, type JobOutcome } from '@taskyard/worker';

const TIMEOUT_MS = 10_000;

/**
 * Seed 004's check validator: hydrates the stored check and checks it against the complete-check schema.
 * Records `validatedAt`, or `validationError` and fails for good (retrying cannot fix a check), which
 * sends the pipeline to its failure notice.
 */
async function validate(ctx: JobContext<CheckRef>): Promise<JobOutcome> {
  const ref = ctx.task.params;
  if (ref.duplicateOf) return { result: { ...ref } };
  const { ReceivedCheck } = checkModels(ctx.db);
  const id = receivedCheckId(ref.schoolUUID, ref.checkCode);
  const stored = await ReceivedCheck.findOne({ _id: id }, { checkData: 1 }).maxTimeMS(TIMEOUT_MS).lean().exec();
  if (!stored) throw new PermanentJobError(CHECK_ERROR.notReceived, `no received check ${ref.checkCode} of school ${ref.schoolUUID}`);
  try {
    hydrateCheck(stored.checkData, ref.schoolUUID, ref.checkCode);
  } catch (err) {
    if (!(err instanceof CheckInvalid || err instanceof CheckUnreadable)) throw err;
    await ReceivedCheck.updateOne({ _id: id }, { $set: { validationError: err.message } }).maxTimeMS(TIMEOUT_MS).exec();
    throw new PermanentJobError(err instanceof CheckUnreadable ? CHECK_ERROR.unreadable : CHECK_ERROR.invalid, err.message);
  }
  await ReceivedCheck.updateOne({ _id: id }, { $set: { validatedAt: new Date() }, $unset: { validationError: 1 } }).maxTimeMS(TIMEOUT_MS).exec();
  ctx.log(`check ${ref.checkCode} is a valid completed check`);
  return { result: { schoolUUID: ref.schoolUUID, checkCode: ref.checkCode } };
}

export const worker = defineWorker<CheckRef>({ type: 'check-validator', handler: validate });
