export { startHealthServer } from './health-server';
export { defineWorker } from './define-worker';
export type { WorkerDefinition } from './define-worker';
export { PermanentJobError, RetriableJobError } from './job-context';
export type { JobContext, JobHandler, JobOutcome, ArtifactWriter, ChildSpec } from './job-context';
