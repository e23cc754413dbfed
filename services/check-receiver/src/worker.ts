import type { CheckRef, SubmittedCheck } from '@taskyard/contracts';
import { checkModels, receiveCheck, recordReceived, Receipt } from '@taskyard/checks';
import { defineWorker, type JobContext, type JobOutcome } from '@taskyard/worker';

/**
 * Seed 004's check receiver: stores the check as it came, keyed by school and check code (the unique key
 * decides a duplicate within a day), and records on the school's check when it was received. Its result
 * names the stored check for the validator; a duplicate's result says so, and no later step redoes it.
 */
async function receive(ctx: JobContext<SubmittedCheck>): Promise<JobOutcome> {
  const msg = ctx.task.params;
  const ref: CheckRef = { schoolUUID: msg.schoolUUID, checkCode: msg.checkCode };
  const now = new Date();
  const receipt = await receiveCheck(checkModels(ctx.db), msg, ctx.task.id, { now });
  if (receipt.receipt === Receipt.Duplicate) {
    ctx.log(`check ${msg.checkCode} was already received within a day (task ${receipt.duplicateOf}): processed once, not again`, 'warn');
    return { result: { ...ref, duplicateOf: receipt.duplicateOf } };
  }
  const recorded = await recordReceived(ctx.db, ref, now);
  if (!recorded) ctx.log(`check ${msg.checkCode} is not in school ${msg.schoolUUID}'s records: its arrival is noted on the stored check`, 'warn');
  ctx.log(`received check ${msg.checkCode} of school ${msg.schoolUUID} (${msg.archive.length} characters compressed)`);
  return { result: ref as unknown as Record<string, unknown> };
}

export const worker = defineWorker<SubmittedCheck>({ type: 'check-receiver', handler: receive });
