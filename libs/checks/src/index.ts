export { checkModels, ensureCheckIndexes, receivedCheckId, CHECK_COLLECTIONS } from './check-models';
export type { CheckModels, ReceivedCheckRecord, TeacherNotificationRecord } from './check-models';
export { receiveCheck, Receipt } from './check-receipt';
export type { ReceiptOutcome, ReceiptOptions } from './check-receipt';
export { hydrateCheck, CheckInvalid, CheckUnreadable } from './check-validation';
export { markCheck, CheckUnmarkable } from './check-marking';
export type { CheckMark } from './check-marking';
export { recordReceived, recordOutcome } from './check-state';
