import { CHECK_ERROR, type CheckRef } from '@taskyard/contracts';
import { CheckUnreadable, checkStepHandler } from '@taskyard/checks';
import { defineWorker } from '@taskyard/worker';

/**
 * Seed 004's check validator: checks the stored check against the complete-check schema (hydrating it does).
 * Records `validatedAt`, or `validationError` and fails for good (retrying cannot fix a check), which
 * sends the pipeline to its failure notice.
 */
export const worker = defineWorker<CheckRef>({
  type: 'check-validator',
  handler: checkStepHandler({
    apply: () => ({}),
    passedAt: 'validatedAt',
    errorField: 'validationError',
    errorCode: (err) => (err instanceof CheckUnreadable ? CHECK_ERROR.unreadable : CHECK_ERROR.invalid),
    passed: (ref) => `check ${ref.checkCode} is a valid completed check`,
  }),
});
