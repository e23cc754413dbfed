export { scheduleModels, ensureScheduleIndexes } from './schedule-model';
export type { ScheduleModels, ScheduleRecord, OccurrenceRecord } from './schedule-model';
export { cronTimes, firesBetween, isTimeZone, InvalidCron } from './cron-times';
export type { CronTimes } from './cron-times';
export { fireOccurrence, recordMissed, completePending } from './occurrence-firing';
export type { FireOutcome, FiringDeps } from './occurrence-firing';
export { taskTemplateSubmitter, occurrenceTaskId } from './template-submission';
export type { SubmitResult, SkipCode, TemplateSubmitter, TemplateSubmissionDeps } from './template-submission';
