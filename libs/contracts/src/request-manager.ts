import type { TaskStatus } from './task-status';

/**
 * Seed 000's Request Manager API, as an adapter onto the same tasks. Its request type names map to our
 * job types here and nowhere else.
 */
export const REQUEST_TYPE_NAMES: Readonly<Record<string, string>> = {
  GenerateSpellingReport: 'spelling-report',
  GenerateAssessmentScoreReport: 'assessment-report',
  GenerateUPFReport: 'upf-report',
};

/** The job type of a seed 000 request type name, or undefined. */
export const jobTypeOfRequestType = (name: string): string | undefined =>
  Object.prototype.hasOwnProperty.call(REQUEST_TYPE_NAMES, name) ? REQUEST_TYPE_NAMES[name] : undefined;

/**
 * Seed 000's numeric request status. The seed names "Not started, In-Process, Finished, Failed" and its
 * sample shows a finished request with artifacts as 2, so they are numbered in the order it lists them.
 */
export const REQUEST_STATUS = { notStarted: 0, inProcess: 1, finished: 2, failed: 3 } as const;
export type RequestStatus = (typeof REQUEST_STATUS)[keyof typeof REQUEST_STATUS];

/**
 * Our statuses as seed 000's numbers: scheduled (waiting for its run-at) and queued = 0 Not started; running and retrying (a later attempt will
 * run) = 1 In-Process; succeeded, and expired (finished, its files since deleted) = 2 Finished; failed and
 * cancelled = 3 Failed.
 */
export const REQUEST_STATUS_OF: Readonly<Record<TaskStatus, RequestStatus>> = {
  scheduled: 0,
  queued: 0,
  running: 1,
  retrying: 1,
  succeeded: 2,
  expired: 2,
  failed: 3,
  cancelled: 3,
};

/** `POST /requests`, as the seed documents it. `requestDetail` is JSON text or already an object. */
export interface RequestSubmission {
  type: string;
  title?: string;
  profileId: string | number;
  requestDetail?: string | Record<string, unknown>;
}

/** One element of `GET /requests/:requestType/:userProfileId`. */
export interface RequestView {
  requestId: string;
  title: string;
  artifacts: string[];
  status: RequestStatus;
  errorMessage: string;
}

/** `PUT /requests/:requestId` from an external processor: status 1 (still working), 2 or 3. */
export interface RequestReport {
  status: RequestStatus;
  artifacts?: string[];
  errorMessage?: string;
}
