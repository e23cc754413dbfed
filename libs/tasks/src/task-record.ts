import type { ArtifactRef, AttemptRecord, LogLine, StageRef, TaskError, TaskPriority, TaskStatus, WorkflowRecord } from '@taskyard/contracts';

/** A task as stored. `_id` is the task id (a UUID). */
export interface TaskRecord {
  _id: string;
  type: string;
  title: string;
  owner: string;
  tag?: string;
  params: Record<string, unknown>;
  status: TaskStatus;
  progress: number;
  /** The current or last attempt that started; 0 before the first. */
  attempt: number;
  maxAttempts: number;
  artifacts: ArtifactRef[];
  error?: TaskError;
  /** The last LOG_CAP lines. */
  logs: LogLine[];
  idempotencyKey?: string;
  /** The owner, key and generation, encoded unambiguously; unique: decides a race of duplicate submissions. */
  idempotencyScope?: string;
  /** What a repeat with the same key must match (the gateway's request fingerprint). */
  idempotencyFingerprint?: { type: string; parts: Record<string, string> };
  parentId?: string;
  callbackUrl?: string;
  createdAt: Date;
  queuedAt: Date;
  startedAt?: Date;
  finishedAt?: Date;
  expiresAt?: Date;
  durationMs?: number;
  /** Not started before this time: `scheduled` until then. */
  runAt?: Date;
  /** Absent means normal. */
  priority?: TaskPriority;
  /** A retry is a new task linked to the one it retries. */
  retryOf?: string;
  /** Set when a schedule's occurrence submitted the task. */
  scheduleId?: string;
  occurrenceId?: string;
  /** `<type>|<YYYY-MM-DD>` (UTC day it failed), set when it fails: "failed of a type since" reads one equality per day. */
  failedKey?: string;
  /** A workflow's stage task: its workflow and stage (set at insert). */
  stage?: StageRef;
  /**
   * A workflow (type `workflow`), or a task whose handler continued as one (its fan-out): the definition and
   * stages, written by the status service.
   */
  workflow?: WorkflowRecord;
  // Bookkeeping of the status service (the task's only writer after its insert).
  /** The owner's unfinished-limit slot this task holds, freed (deleted) when it finishes. */
  slotId?: string;
  runId?: string;
  lastSeq?: number;
  heartbeatAt?: Date;
  cancelRequestedAt?: Date;
  retryAt?: Date;
  result?: Record<string, unknown>;
  /** Each attempt's start and end (the timeline), written by the status service with the fold. */
  attempts?: AttemptRecord[];
  /** The task's keys in every list it appears in (list-keys.ts); rewritten by the status service when its status changes. */
  lk?: string[];
}
