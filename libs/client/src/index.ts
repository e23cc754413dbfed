export { TaskyardClient } from './taskyard-client';
export type { ClientOptions, Download, JobTypeSummary, ScheduleSummary, SubmitOptions, Submitted, UploadFile } from './taskyard-client';
export { TaskyardApiError, apiErrorOf } from './api-error';
export { watchTask } from './task-watch';
export type { WatchFrame, WatchOptions, OpenStream } from './task-watch';
export { DEFAULT_BACKOFF, reconnectDelayMs } from './reconnect-backoff';
export type { BackoffPolicy } from './reconnect-backoff';
