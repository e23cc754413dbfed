import type { TaskPriority } from './priority';
import type { StageRef } from './workflow';

/** The body of a message on the `tasks` exchange: everything a worker needs, so it need not read the task first. */
export interface TaskMessage {
  id: string;
  type: string;
  owner: string;
  title: string;
  tag?: string;
  params: Record<string, unknown>;
  /** 1 for the first attempt; a retry republishes with attempt + 1. */
  attempt: number;
  maxAttempts: number;
  parentId?: string;
  createdAt: string;
  /** Which of the type's queues it goes to; absent means `normal`. */
  priority?: TaskPriority;
  /** Not before this time (ISO): the message waits in the scheduled-wait queues until then. */
  runAt?: string;
  /** A workflow's stage task: which workflow and stage (WORKFLOWS.md). */
  stage?: StageRef;
  /**
   * Set on a first attempt's message made from the task as stored: what its record holds that the message
   * does not. The worker hands it on with the run's first event (`InsertedTask`), so the status service can
   * fold that event without reading the task. Not given to the job's handler.
   */
  inserted?: { slotId?: string; callbackUrl?: string };
}

export interface ArtifactRef {
  name: string;
  /** The S3 key; empty for an artifact an external processor gave as a URL. */
  key: string;
  size: number;
  contentType: string;
  /** An artifact kept elsewhere (an external processor's CDN): shown as given, never presigned or deleted. */
  url?: string;
}

export interface TaskError {
  code: string;
  message: string;
}

/** How one attempt of a task ended: the task page's timeline shows each. */
export type AttemptOutcome = 'succeeded' | 'failed' | 'cancelled' | 'heartbeat-lost' | 'redelivered';

/** One attempt of a task, as the status service records it: when it started, when and how it ended. */
export interface AttemptRecord {
  attempt: number;
  startedAt: Date;
  endedAt?: Date;
  outcome?: AttemptOutcome;
  error?: TaskError;
  /** When the next attempt was due (a retry's back-off), for a failed attempt that was retried. */
  retryAt?: Date;
}
