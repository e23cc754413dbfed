export * from './topology-names';
export { DEFAULT_LIMITS, defineJobType, backoffFor } from './job-type';
export type { JobLimits, UploadLimits, JobTypeDefinition } from './job-type';
export { ALL_JOB_TYPES, jobTypes, jobTypesFromEnv, spellingReport, assessmentReport, cloudImport, diagnostic } from './job-types';
export type { SpellingReportParams, AssessmentReportParams, CloudImportParams, DiagnosticParams, JobTypeOptions } from './job-types';
export type { TaskMessage, ArtifactRef, TaskError } from './task-message';
export type { TaskEvent, TaskEventKind, TaskEventInput, EventBase, LogLine, DistributiveOmit } from './task-event';
export { TASK_STATUSES, TERMINAL_STATUSES, UNFINISHED_STATUSES, isTerminal } from './task-status';
export type { TaskStatus } from './task-status';
