import type { TaskView } from './api-views';

/**
 * The HTTP processor API (external job types, seed 000's "request processor"): a processor claims the
 * next task of a type with a lease, heartbeats to keep it, uploads artifacts and reports the outcome.
 */

/** A claimed task: what the processor needs to do the work, and its lease. */
export interface ClaimedTask {
  /** Names this claim in every later call; a report with another (or an expired) lease gets 409. */
  leaseId: string;
  leaseExpiresAt: string;
  /** The task as the API shows it, with the attempt this claim holds. */
  task: Pick<TaskView, 'id' | 'type' | 'title' | 'owner' | 'tag' | 'params' | 'attempt' | 'maxAttempts' | 'createdAt'>;
}

export interface LeaseAnswer {
  leaseExpiresAt: string;
  /** The task's owner asked to cancel it: stop and report `cancelled`. */
  cancelRequested: boolean;
}

/** An artifact of a completion: the name of a file uploaded through an upload URL, or a URL kept as given. */
export type ReportedArtifact = string | { name: string } | { url: string; name?: string };

export interface CompletionReport {
  leaseId: string;
  status: 'succeeded' | 'failed' | 'cancelled';
  artifacts?: ReportedArtifact[];
  error?: { code?: string; message: string };
  /** For `failed`: try again (a new attempt, if any are left) rather than fail for good. Default false. */
  retry?: boolean;
  result?: Record<string, unknown>;
}

export interface UploadTicket {
  name: string;
  /** A presigned `PUT` URL: send the file's bytes with the same Content-Type. */
  uploadUrl: string;
  method: 'PUT';
  contentType: string;
  expiresAt: string;
}
