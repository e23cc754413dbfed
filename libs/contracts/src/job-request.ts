import type { AssessmentReportParams } from './job-types';
import type { TaskStatus } from './task-status';

/**
 * Seed 001's on-demand job request API (`/job/request/*`), as an adapter onto the same tasks: its
 * envelope, statuses, error codes and job ids are defined here and nowhere else.
 */

/** Seed 001 job ids → our job types. */
export const JOB_REQUEST_JOB_IDS: Readonly<Record<string, string>> = {
  'assessment-score-report': 'assessment-report',
};

export const jobTypeOfJobId = (jobId: string): string | undefined =>
  Object.prototype.hasOwnProperty.call(JOB_REQUEST_JOB_IDS, jobId) ? JOB_REQUEST_JOB_IDS[jobId] : undefined;

export const JOB_REQUEST_STATUSES = ['SUBMITTED', 'PROCESSING', 'COMPLETED', 'FAILED'] as const;
export type JobRequestStatus = (typeof JOB_REQUEST_STATUSES)[number];

/** Our statuses as seed 001's: a retrying task is still PROCESSING; an expired one did complete. */
export const JOB_REQUEST_STATUS_OF: Readonly<Record<TaskStatus, JobRequestStatus>> = {
  scheduled: 'SUBMITTED',
  queued: 'SUBMITTED',
  running: 'PROCESSING',
  retrying: 'PROCESSING',
  succeeded: 'COMPLETED',
  expired: 'COMPLETED',
  failed: 'FAILED',
  cancelled: 'FAILED',
};

/**
 * How many times one request (one `request_id`) may run: the first run, then a re-run after each FAILED
 * one, with `attempts` counting the re-runs (0 for the first run).
 */
export const JOB_REQUEST_MAX_RUNS = 3;

/** The envelope's `id` per API, as seed 001 names them. */
export const JOB_REQUEST_API_IDS = {
  submit: 'ekstep.analytics.job.request.submit',
  read: 'ekstep.analytics.job.request.info',
  list: 'ekstep.analytics.job.request.list',
} as const;
export type JobRequestApi = keyof typeof JOB_REQUEST_API_IDS;

export const JOB_REQUEST_API_VERSION = '1.0';

/** `responseCode` of the envelope: seed 001's family (our own error code is in `params.err`). */
export type JobRequestResponseCode = 'OK' | 'CLIENT_ERROR' | 'UNAUTHORIZED' | 'RESOURCE_NOT_FOUND' | 'TOO_MANY_REQUESTS' | 'SERVER_ERROR';

export function responseCodeOf(httpStatus: number): JobRequestResponseCode {
  if (httpStatus < 400) return 'OK';
  if (httpStatus === 401 || httpStatus === 403) return 'UNAUTHORIZED';
  if (httpStatus === 404) return 'RESOURCE_NOT_FOUND';
  if (httpStatus === 429) return 'TOO_MANY_REQUESTS';
  return httpStatus < 500 ? 'CLIENT_ERROR' : 'SERVER_ERROR';
}

export interface JobRequestEnvelope<R> {
  id: string;
  ver: string;
  ts: string;
  params: { resmsgid: string; msgid?: string; status: 'successful' | 'failed'; err?: string; errmsg?: string };
  responseCode: JobRequestResponseCode;
  result: R;
}

/** `request` of a submit, as seed 001 documents it. `output_format` may sit beside `jobConfig` (its sample). */
export interface JobRequestSubmission {
  tag: string;
  jobId: string;
  jobConfig: Record<string, unknown>;
  output_format?: string;
  requestedBy?: string;
  requestedChannel?: string;
}

/** Seed 001's JobStatusResponse. Times in epoch seconds except `expiresAt` (epoch milliseconds), as its sample. */
export interface JobStatusResponse {
  request_id: string;
  tag: string;
  job_id: string;
  requested_by: string;
  requested_channel?: string;
  status: JobRequestStatus;
  last_updated: number;
  request: Record<string, unknown>;
  job_stats: { dt_job_submitted: number; dt_job_completed?: number; execution_time?: number };
  downloadURLs: string[];
  expiresAt?: number;
  attempts: number;
  err_message?: string;
}

function asStringList(v: unknown): string[] | undefined {
  return Array.isArray(v) && v.every((x) => typeof x === 'string') ? (v as string[]) : undefined;
}

/**
 * Seed 001's `jobConfig` as assessment-report params. Accepted: our own params, and the seed's sample,
 * whose `batchFilters` is a list of channel names (every batch published on them is reported), whose
 * `contentFilters` is a content-search query with no counterpart in our data (kept in the request as
 * given, not applied), whose `reportPath` is ours to choose, and whose `output_format` sits beside
 * `jobConfig` rather than in it. Anything else is left for the params schema to name.
 */
export function assessmentParamsOfJobConfig(config: Record<string, unknown>, outputFormat?: string): AssessmentReportParams | Record<string, unknown> {
  const { batchFilters, contentFilters, reportPath: _reportPath, output_format, ...rest } = config;
  const channels = asStringList(batchFilters);
  const ours = contentFilters && typeof contentFilters === 'object' && !('request' in contentFilters);
  return {
    ...rest,
    batchFilters: channels ? { ids: [], channels } : batchFilters,
    ...(ours ? { contentFilters } : {}),
    output_format: output_format ?? outputFormat ?? 'csv',
  };
}
