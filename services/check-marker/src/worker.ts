import { CHECK_ERROR, type CheckRef } from '@taskyard/contracts';
import { checkStepHandler, markCheck } from '@taskyard/checks';
import { defineWorker } from '@taskyard/worker';

/**
 * Seed 004's check marker: marks the stored check and records the score against it (`mark`, `maxMark`,
 * `markedAt`); a check that cannot be marked gets `markError` and fails for good.
 */
export const worker = defineWorker<CheckRef>({
  type: 'check-marker',
  handler: checkStepHandler({
    apply: markCheck,
    passedAt: 'markedAt',
    errorField: 'markError',
    errorCode: () => CHECK_ERROR.unmarkable,
    passed: (ref, score) => `check ${ref.checkCode} marked: ${score.mark} of ${score.maxMark}`,
  }),
});
