import { CHECK_ERROR, type CheckRef, type CompleteCheck } from '@taskyard/contracts';
import { PermanentJobError, type JobContext, type JobHandler, type JobOutcome } from '@taskyard/worker';
import { CheckUnmarkable } from './check-marking';
import { checkModels, receivedCheckId } from './check-models';
import { CheckInvalid, CheckUnreadable, hydrateCheck } from './check-validation';

const TIMEOUT_MS = 10_000;

/** Why a stored check cannot pass a step: retrying cannot change its data, so the step fails for good. */
export type CheckFailure = CheckInvalid | CheckUnreadable | CheckUnmarkable;

const isCheckFailure = (err: unknown): err is CheckFailure => err instanceof CheckInvalid || err instanceof CheckUnreadable || err instanceof CheckUnmarkable;

/** One step of seed 004's pipeline over a received check (validate, mark): what it does and where it records it. */
export interface CheckStep<R extends object> {
  /** The step's work on the hydrated check; throws a `CheckFailure` when the check cannot pass. */
  apply(check: CompleteCheck): R;
  /** The received check's field stamped with the time the check passed. */
  passedAt: 'validatedAt' | 'markedAt';
  /** The received check's field that keeps the message of a failure. */
  errorField: 'validationError' | 'markError';
  /** The task's error code for a failure. */
  errorCode(err: CheckFailure): string;
  /** The log line of a check that passed. */
  passed(ref: CheckRef, result: R): string;
}

/**
 * A check step as a job handler: hydrates the stored check, applies the step, and records the outcome on the
 * received check (`result` fields and `passedAt`, or `errorField` and a permanent failure, which sends the
 * pipeline to its failure notice). A duplicate passes by untouched.
 */
export function checkStepHandler<R extends object>(step: CheckStep<R>): JobHandler<CheckRef> {
  return async (ctx: JobContext<CheckRef>): Promise<JobOutcome> => {
    const ref = ctx.task.params;
    if (ref.duplicateOf) return { result: { ...ref } };
    const { ReceivedCheck } = checkModels(ctx.db);
    const id = receivedCheckId(ref.schoolUUID, ref.checkCode);
    const stored = await ReceivedCheck.findOne({ _id: id }, { checkData: 1 }).maxTimeMS(TIMEOUT_MS).lean().exec();
    if (!stored) throw new PermanentJobError(CHECK_ERROR.notReceived, `no received check ${ref.checkCode} of school ${ref.schoolUUID}`);
    let result: R;
    try {
      result = step.apply(hydrateCheck(stored.checkData, ref.schoolUUID, ref.checkCode));
    } catch (err) {
      if (!isCheckFailure(err)) throw err;
      await ReceivedCheck.updateOne({ _id: id }, { $set: { [step.errorField]: err.message } }).maxTimeMS(TIMEOUT_MS).exec();
      throw new PermanentJobError(step.errorCode(err), err.message);
    }
    await ReceivedCheck.updateOne({ _id: id }, { $set: { ...result, [step.passedAt]: new Date() }, $unset: { [step.errorField]: 1 } }).maxTimeMS(TIMEOUT_MS).exec();
    ctx.log(step.passed(ref, result));
    return { result: { schoolUUID: ref.schoolUUID, checkCode: ref.checkCode, ...result } };
  };
}
