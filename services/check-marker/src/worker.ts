import { CHECK_ERROR, type CheckRef } from '@taskyard/contracts';
import { CheckInvalid, CheckUnmarkable, CheckUnreadable, checkModels, hydrateCheck, markCheck, receivedCheckId } from '@taskyard/checks';
import { defineWorker, PermanentJobError, type JobContext, type JobOutcome } from '@taskyard/worker';

const TIMEOUT_MS = 10_000;

/**
 * Seed 004's check marker: hydrates the stored check, marks it, and records the score against it
 * (`mark`, `maxMark`, `markedAt`); a check that cannot be marked gets `markError` and fails for good.
 */
async function mark(ctx: JobContext<CheckRef>): Promise<JobOutcome> {
  const ref = ctx.task.params;
  if (ref.duplicateOf) return { result: { ...ref } };
  const { ReceivedCheck } = checkModels(ctx.db);
  const id = receivedCheckId(ref.schoolUUID, ref.checkCode);
  const stored = await ReceivedCheck.findOne({ _id: id }, { checkData: 1 }).maxTimeMS(TIMEOUT_MS).lean().exec();
  if (!stored) throw new PermanentJobError(CHECK_ERROR.notReceived, `no received check ${ref.checkCode} of school ${ref.schoolUUID}`);
  let score;
  try {
    score = markCheck(hydrateCheck(stored.checkData, ref.schoolUUID, ref.checkCode));
  } catch (err) {
    if (!(err instanceof CheckUnmarkable || err instanceof CheckInvalid || err instanceof CheckUnreadable)) throw err;
    await ReceivedCheck.updateOne({ _id: id }, { $set: { markError: err.message } }).maxTimeMS(TIMEOUT_MS).exec();
    throw new PermanentJobError(CHECK_ERROR.unmarkable, err.message);
  }
  await ReceivedCheck.updateOne({ _id: id }, { $set: { ...score, markedAt: new Date() }, $unset: { markError: 1 } }).maxTimeMS(TIMEOUT_MS).exec();
  ctx.log(`check ${ref.checkCode} marked: ${score.mark} of ${score.maxMark}`);
  return { result: { schoolUUID: ref.schoolUUID, checkCode: ref.checkCode, ...score } };
}

export const worker = defineWorker<CheckRef>({ type: 'check-marker', handler: mark });
