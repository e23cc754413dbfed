import type { JSONSchemaType } from 'ajv';

/** What the platform needs to know of a job type. Limits are per type; the defaults are in `withDefaults`. */
export interface JobLimits {
  /** A job past this is aborted and counts as a failed attempt. */
  timeoutMs: number;
  maxAttempts: number;
  /** Back-off before attempt n+1 is backoffMs[n-1] (the last value repeats). */
  backoffMs: number[];
  /** Unfinished (queued/running/retrying) tasks one owner may have of this type; 0: no limit (no quota writes at all). */
  unfinishedPerOwner: number;
  /** How long artifacts are kept after success, then deleted and the task `expired`. */
  retentionMs: number;
  /** A task waiting longer than this in its queue is dead-lettered and fails with `expired-in-queue`. */
  messageTtlMs: number;
  /**
   * The jobs one worker process runs at once (unless its worker declares `concurrency`); its consumer of each
   * priority's queue holds MESSAGES_AHEAD more. A CPU-bound type takes 1: a process runs one job's CPU at a
   * time, so more only interleaves its jobs, and each message held but not started is one another process,
   * idle, could have run (measured: 40 jobs of 200 ms CPU on 2 processes at prefetch 64 split 20 + 20 at
   * submit, and the process that got less CPU ran its 20 seconds after the other was idle; at 1, both ended
   * within 0.2 s).
   */
  prefetch: number;
  /** Window after which a running task with no heartbeat is recovered. */
  heartbeatWindowMs: number;
  /**
   * Types processed outside: how long an HTTP processor's claim holds a task without a heartbeat. Keep it
   * within `heartbeatWindowMs`, which the status service's own recovery still applies.
   */
  leaseMs: number;
}

/**
 * Messages a worker's consumer holds beyond the worker's slots: when a job ends, the next is in hand and starts
 * at once, not after its outcome's confirm and the ack's round trip to a new delivery (bench/peers CPU-bound,
 * load 16-25: a worker idle 15 ms per job alone and 38 ms each of 2, against 6 and 7 with one ahead). One only:
 * a message held but not started is one another process, idle, could have run; with one ahead a batch's last
 * jobs end no further apart between processes than with none.
 */
export const MESSAGES_AHEAD = 1;

export interface UploadLimits {
  /** Largest upload accepted (413 past it). */
  maxBytes: number;
  /** Largest total uncompressed size of a zip's entries (422 past it). */
  maxUncompressedBytes: number;
  maxEntries: number;
}

export interface JobTypeDefinition<P = unknown> {
  type: string;
  title: string;
  description: string;
  /** JSON Schema of `params`, validated by the gateway with Ajv. */
  paramsSchema: JSONSchemaType<P> | Record<string, unknown>;
  limits: JobLimits;
  /** Present when the type takes a zip upload (multipart `file`). */
  upload?: UploadLimits;
  /** Off unless configuration enables it (the diagnostic type). */
  enabledByDefault: boolean;
  /**
   * Processed outside Taskyard by HTTP processors (seed 000's request processor): no worker service
   * consumes its queue; processors claim its tasks with a lease and report back over HTTP.
   */
  processedOutside?: boolean;
}

/**
 * A params schema's words for its enum's values, in the same order (`enum: ['csv']` with `['CSV (opens in a
 * spreadsheet)']`): forms show these, never the raw values. An extension keyword, so validation ignores it.
 */
export const ENUM_NAMES = 'x-enumNames';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

export const DEFAULT_LIMITS: JobLimits = {
  timeoutMs: 15 * MINUTE,
  maxAttempts: 3,
  backoffMs: [1_000, 5_000, 30_000],
  unfinishedPerOwner: 3,
  retentionMs: DAY,
  messageTtlMs: 14 * DAY,
  prefetch: 4,
  heartbeatWindowMs: 60_000,
  leaseMs: 30_000,
};

export function defineJobType<P>(def: Omit<JobTypeDefinition<P>, 'limits' | 'enabledByDefault'> & {
  limits?: Partial<JobLimits>;
  enabledByDefault?: boolean;
}): JobTypeDefinition<P> {
  return { ...def, enabledByDefault: def.enabledByDefault ?? true, limits: { ...DEFAULT_LIMITS, ...def.limits } };
}

export function backoffFor(limits: JobLimits, attempt: number): number {
  const list = limits.backoffMs;
  return list[Math.min(attempt - 1, list.length - 1)] ?? 0;
}
