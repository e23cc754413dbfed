export { startHealthServer } from './health-server';
export { defineWorker } from './define-worker';
export type { WorkerDefinition } from './define-worker';
export { PermanentJobError, RetriableJobError } from './job-context';
export type { JobContext, JobHandler, JobOutcome, ArtifactWriter, ChildSpec } from './job-context';
export { startWorker, runWorkerService } from './run-worker-service';
export type { WorkerOptions, RunningWorker } from './run-worker-service';
export { WorkerEngine } from './worker-engine';
export { streamArtifact } from './stream-artifact';
