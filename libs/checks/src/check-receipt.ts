import { CHECK_DUPLICATE_WINDOW_MS, type SubmittedCheck } from '@taskyard/contracts';
import { insertUnique } from '@taskyard/tasks';
import { receivedCheckId, type CheckModels, type ReceivedCheckRecord } from './check-models';

/** What receiving a check decided. */
export enum Receipt {
  /** Stored now (or by an earlier run of the same task): the pipeline goes on. */
  Received = 'received',
  /** The same check was received within the duplicate window by another task: processed once, by that one. */
  Duplicate = 'duplicate',
}

export interface ReceiptOutcome {
  receipt: Receipt;
  id: string;
  /** The task that received the check first, for a duplicate. */
  duplicateOf?: string;
}

export interface ReceiptOptions {
  windowMs?: number;
  now?: Date;
  timeoutMs?: number;
}

/** Attempts of insert / replace before a contended key gives up (each loser re-reads who won). */
const MAX_ROUNDS = 3;

/**
 * Stores a submitted check as it came, keyed by school and check code. Who processes a check is decided by
 * the unique insert of that key, never by a read: of any number of racing receipts of one check, exactly
 * one inserts. A receipt older than the window is replaced (deleted by `_id` and its receipt time, which
 * exactly one replacer does, then inserted again), so a check re-sent a day later is processed again.
 */
export async function receiveCheck(models: CheckModels, msg: SubmittedCheck, taskId: string, opts: ReceiptOptions = {}): Promise<ReceiptOutcome> {
  const { windowMs = CHECK_DUPLICATE_WINDOW_MS, now = new Date(), timeoutMs = 10_000 } = opts;
  const id = receivedCheckId(msg.schoolUUID, msg.checkCode);
  const doc: ReceivedCheckRecord = {
    _id: id,
    schoolUUID: msg.schoolUUID,
    checkCode: msg.checkCode,
    version: msg.version,
    checkData: msg.archive,
    dateReceived: now,
    receivedBy: taskId,
  };
  for (let round = 0; round < MAX_ROUNDS; round++) {
    if (await insertUnique(models.ReceivedCheck, doc as unknown as { _id: string } & Record<string, unknown>)) return { receipt: Receipt.Received, id };
    const held = await models.ReceivedCheck.findOne({ _id: id }, { receivedBy: 1, dateReceived: 1 }).maxTimeMS(timeoutMs).lean<Pick<ReceivedCheckRecord, 'receivedBy' | 'dateReceived'>>().exec();
    if (!held) continue; // replaced under us: insert again
    // This task stored it on an earlier attempt: carry on where that attempt stopped.
    if (held.receivedBy === taskId) return { receipt: Receipt.Received, id };
    if (now.getTime() - new Date(held.dateReceived).getTime() < windowMs) return { receipt: Receipt.Duplicate, id, duplicateOf: held.receivedBy };
    await models.ReceivedCheck.deleteOne({ _id: id, dateReceived: held.dateReceived }).maxTimeMS(timeoutMs).exec();
  }
  throw new Error(`check ${id}: still contended after ${MAX_ROUNDS} receipts`);
}
