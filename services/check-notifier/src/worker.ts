import type { CheckNotice } from '@taskyard/contracts';
import { ensureCheckIndexes, recordOutcome } from '@taskyard/checks';
import { defineWorker, type JobContext, type JobOutcome } from '@taskyard/worker';
import type { Connection } from 'mongoose';

/** The teachers' notices are read by school: their index is made once per process, before the first notice. */
let indexed: Promise<void> | undefined;
const ensureIndexes = (db: Connection): Promise<void> => (indexed ??= ensureCheckIndexes(db).catch((err: unknown) => {
  indexed = undefined;
  throw err;
}));

/**
 * Seed 004's check notifier: the check's state for the school (complete with its mark, or a processing
 * failure), and a teacher's notice when validation or marking failed. A duplicate notifies nothing.
 */
async function notify(ctx: JobContext<CheckNotice>): Promise<JobOutcome> {
  const notice = ctx.task.params;
  if (notice.duplicateOf) return { result: { schoolUUID: notice.schoolUUID, checkCode: notice.checkCode, duplicateOf: notice.duplicateOf } };
  await ensureIndexes(ctx.db);
  // As a workflow's on-failure stage, the failed stage's error comes with the task.
  const error = notice.error ?? ctx.task.stage?.failure?.error;
  const { recorded, teacherNotified } = await recordOutcome(ctx.db, { ...notice, ...(error ? { error } : {}) }, new Date());
  ctx.log(`check ${notice.checkCode}: ${notice.outcome}${error ? ` (${error.code}: ${error.message})` : ''}`);
  if (!recorded) ctx.log(`check ${notice.checkCode} is not in school ${notice.schoolUUID}'s records: the outcome is noted on the stored check`, 'warn');
  if (teacherNotified) ctx.log('the teacher is notified', 'warn');
  return { result: { schoolUUID: notice.schoolUUID, checkCode: notice.checkCode, outcome: notice.outcome, teacherNotified } };
}

export const worker = defineWorker<CheckNotice>({ type: 'check-notifier', handler: notify });
