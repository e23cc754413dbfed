import type { JobHandler } from './job-context';

/** A worker is a small declaration over the shared engine (`runWorkerService`). */
export interface WorkerDefinition<P = Record<string, unknown>> {
  type: string;
  handler: JobHandler<P>;
  /** Jobs run at once in one process (default: the type's prefetch). */
  concurrency?: number;
}

export function defineWorker<P = Record<string, unknown>>(def: WorkerDefinition<P>): WorkerDefinition<P> {
  return def;
}
