import type { CheckNotice, CheckRef } from '@taskyard/contracts';
import { schoolModels } from '@taskyard/school-data';
import { insertUnique } from '@taskyard/tasks';
import type { Connection } from 'mongoose';
import { checkModels, receivedCheckId } from './check-models';

const TIMEOUT_MS = 10_000;

/**
 * Writes the school's record of a check (`pupil_checks`, by check code; the school checked in the filter).
 * When there is none, the seed's rule: the failure is kept on the received check (`checkUpdateError`).
 * One step of a check's pipeline runs at a time, so each of these documents has one writer at a time.
 */
async function updateSchoolRecord(db: Connection, ref: CheckRef, set: Record<string, unknown>): Promise<boolean> {
  const res = await schoolModels(db).PupilCheck.updateOne({ _id: ref.checkCode, schoolId: ref.schoolUUID }, { $set: set }).maxTimeMS(TIMEOUT_MS).exec();
  if (res.matchedCount === 1) return true;
  const problem = `check ${ref.checkCode} of school ${ref.schoolUUID} is not in the school's records (state ${String(set.state)} not recorded)`;
  await checkModels(db).ReceivedCheck.updateOne({ _id: receivedCheckId(ref.schoolUUID, ref.checkCode) }, { $set: { checkUpdateError: problem } }).maxTimeMS(TIMEOUT_MS).exec();
  return false;
}

/** The seed's `receivedByServerAt`. */
export function recordReceived(db: Connection, ref: CheckRef, at: Date): Promise<boolean> {
  return updateSchoolRecord(db, ref, { state: 'received', receivedByServerAt: at });
}

/** Complete (with the mark the marker stored), or a processing failure with a notice to the teacher. */
export async function recordOutcome(db: Connection, notice: CheckNotice, at: Date): Promise<{ recorded: boolean; teacherNotified: boolean }> {
  const id = receivedCheckId(notice.schoolUUID, notice.checkCode);
  if (notice.outcome === 'complete') {
    const marked = await checkModels(db).ReceivedCheck.findOne({ _id: id }, { mark: 1, maxMark: 1 }).maxTimeMS(TIMEOUT_MS).lean().exec();
    const recorded = await updateSchoolRecord(db, notice, { state: 'complete', completedAt: at, mark: marked?.mark, maxMark: marked?.maxMark });
    return { recorded, teacherNotified: false };
  }
  const error = notice.error ?? { code: 'check-processing-failed', message: 'the check could not be processed' };
  const recorded = await updateSchoolRecord(db, notice, { state: 'processing-failure', processingFailedAt: at, processingError: error });
  const pupil = await schoolModels(db).PupilCheck.findOne({ _id: notice.checkCode }, { pupilId: 1, schoolId: 1 }).maxTimeMS(TIMEOUT_MS).lean().exec();
  const teacherNotified = await insertUnique(checkModels(db).TeacherNotification, {
    _id: `${id}:${error.code}`,
    schoolUUID: notice.schoolUUID,
    checkCode: notice.checkCode,
    ...(pupil && pupil.schoolId === notice.schoolUUID ? { pupilId: pupil.pupilId } : {}),
    code: error.code,
    message: `A pupil's check (${notice.checkCode}) could not be processed: ${error.message}`,
    createdAt: at,
  });
  return { recorded, teacherNotified };
}
