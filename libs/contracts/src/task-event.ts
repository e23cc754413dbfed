import type { TaskStatus } from './task-status';
import type { ArtifactRef, TaskError } from './task-message';
import type { StageRef } from './workflow';

/**
 * Status events on the `task-events` exchange (routing key `<type>.<kind>`), folded into the task by the
 * status service. Events from a worker carry the run that sent them (`runId`, a fresh id per execution)
 * and a sequence number within that run, so a duplicate or stale event changes nothing.
 */
export interface EventBase {
  taskId: string;
  type: string;
  /** ISO time the event happened. */
  at: string;
  attempt?: number;
  runId?: string;
  seq?: number;
}

export interface LogLine {
  at: string;
  level: 'info' | 'warn' | 'error';
  message: string;
}

/**
 * A run's start, carried by its outcome when the job finished before `started` was sent (a fast job): one
 * event instead of two. The status service folds it as the `started` it stands for, right before the outcome.
 */
export interface RunStart {
  workerId: string;
  /** ISO time the run began. */
  at: string;
}

/**
 * The task as inserted, carried by the first event of a fresh first attempt's run (its message's fields and
 * the record's `inserted` ones): the status service folds it from these without reading the task, and writes
 * only if the stored task is still as inserted (`queued`, attempt 0); otherwise it reads the task and folds again.
 */
export interface InsertedTask {
  owner: string;
  title: string;
  tag?: string;
  /** ISO time of the insert (also its `queuedAt`: a task with a `runAt` never carries this). */
  createdAt: string;
  maxAttempts: number;
  parentId?: string;
  slotId?: string;
  callbackUrl?: string;
  /** The task's upload (its `params.uploadKey`), deleted when it finishes. */
  uploadKey?: string;
}

export type TaskEvent = EventBase &
  (
    | { kind: 'started'; attempt: number; runId: string; seq: number; workerId: string; inserted?: InsertedTask }
    | { kind: 'progress'; runId: string; seq: number; progress?: number; logs?: LogLine[] }
    | { kind: 'heartbeat'; runId: string; seq: number }
    | { kind: 'succeeded'; runId: string; seq: number; artifacts: ArtifactRef[]; logs?: LogLine[]; result?: Record<string, unknown>; started?: RunStart; inserted?: InsertedTask }
    | { kind: 'failed'; runId: string; seq: number; error: TaskError; final: boolean; retryAt?: string; logs?: LogLine[]; started?: RunStart; inserted?: InsertedTask }
    /** The worker aborted a running task after a cancel request. */
    | { kind: 'cancelled'; runId: string; seq: number; logs?: LogLine[]; started?: RunStart; inserted?: InsertedTask }
    /**
     * The task's handler ended by continuing as a declared workflow (e.g. the assessment report's fan-out over
     * its batches): the status service starts it on this task, which finishes when the workflow does.
     */
    | { kind: 'continued-as-workflow'; runId: string; seq: number; workflow: string; params: Record<string, unknown>; logs?: LogLine[]; result?: Record<string, unknown> }
    /**
     * From the status service: the workflow a task runs (a workflow's parent, or a task continued as one) ended,
     * and the task with it. Folded where it is decided, then published so event streams see the end too.
     */
    | { kind: 'workflow-ended'; status: 'succeeded' | 'failed' | 'cancelled'; artifacts?: ArtifactRef[]; error?: TaskError }
    /** From the gateway (a user's cancel) or the status service (a cancelled parent). */
    | { kind: 'cancel-requested'; requestedBy: string }
    /** From the status service: the message's TTL ran out in its queue. */
    | { kind: 'expired-in-queue' }
    /** From the status service's heartbeat timer: the run stopped sending heartbeats. */
    | { kind: 'heartbeat-lost'; runId: string; final: boolean; retryAt?: string }
    /** From the status service's retention timer: the artifacts were deleted. */
    | { kind: 'artifacts-expired' }
    /** From the scheduler: a `scheduled` task's `runAt` came and its message went to its queue. */
    | { kind: 'released' }
    /** From the gateway: the owner or an admin deleted this finished task (the status service removes it, its logs and artifacts). */
    | { kind: 'delete-requested'; requestedBy: string }
    /** A broker timer of the status service, one heartbeat window after a run started: is it still alive? */
    | { kind: 'heartbeat-check'; runId: string }
    /** A broker timer of the status service, at a succeeded task's `expiresAt`: its artifacts are due for deletion. */
    | { kind: 'retention-due' }
    /** A broker timer of the status service, a while after the task left an open status: prune that list's mark of its second. */
    | { kind: 'list-prune'; status: TaskStatus }
    /** From the status service: a child of this task reached a terminal status. */
    | {
        kind: 'child-finished';
        childId: string;
        childStatus: 'succeeded' | 'failed' | 'cancelled';
        artifacts: ArtifactRef[];
        error?: TaskError;
        /** A workflow's stage task: its stage and its result (what the next stage receives). */
        stage?: StageRef;
        result?: Record<string, unknown>;
      }
  );

export type TaskEventKind = TaskEvent['kind'];

/** Distributive Omit, so each member of the union keeps its own fields. */
export type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;
export type TaskEventInput = DistributiveOmit<TaskEvent, 'at'> & { at?: string };
