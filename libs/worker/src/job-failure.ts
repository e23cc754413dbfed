import type { TaskError } from '@taskyard/contracts';
import { PermanentJobError, RetriableJobError } from './job-context';

export type AbortReason = 'cancelled' | 'timeout' | 'shutdown';

export class JobAborted extends Error {
  constructor(readonly reason: AbortReason) {
    super(`job aborted: ${reason}`);
    this.name = 'JobAborted';
  }
}

/** Turns whatever a handler threw into the task's error and whether another attempt may fix it. */
export function classifyFailure(err: unknown, timeoutMs: number): { error: TaskError; retriable: boolean } {
  if (err instanceof JobAborted && err.reason === 'timeout') {
    return { error: { code: 'timeout', message: `The job ran longer than its ${timeoutMs} ms timeout and was aborted.` }, retriable: true };
  }
  if (err instanceof PermanentJobError) return { error: { code: err.code, message: err.message }, retriable: false };
  if (err instanceof RetriableJobError) return { error: { code: err.code, message: err.message }, retriable: true };
  const message = err instanceof Error ? err.message : String(err);
  return { error: { code: 'job-failed', message: message.slice(0, 1000) }, retriable: true };
}
