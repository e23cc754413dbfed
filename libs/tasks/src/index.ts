export type { TaskRecord } from './task-record';
export { fold, foldAll, canTransition, TRANSITIONS, LOG_CAP } from './task-state';
export type { FoldEffect, FoldContext, FoldResult, TaskState } from './task-state';
export { taskModels, ensureTaskIndexes, isDuplicateKey, insertUnique, taskSchema } from './task-model';
export type { TaskModels, SlotRecord, OutboxRecord, TaskRequestRecord, LeaseRecord } from './task-model';
export { takeSlot, releaseSlot, slotId } from './slots';
export { claimOnce } from './leases';
export { taskMessageOf } from './task-message-of';
