import type { Readable } from 'node:stream';
import type { Connection } from 'mongoose';
import type { ArtifactRef, StageOutput, TaskMessage } from '@taskyard/contracts';
import type { Logger } from '@taskyard/logging';
import type { ObjectStore } from '@taskyard/storage';

/** Writes a task's outputs to S3 under `artifacts/<type>/<taskId>/<name>`; each becomes one of `task.artifacts`. */
export interface ArtifactWriter {
  write(name: string, body: Buffer | string | Readable, contentType: string): Promise<ArtifactRef>;
}

/** What a handler gets: the task, a signal that aborts on cancel or timeout, and the means to report and write. */
export interface JobContext<P = Record<string, unknown>> {
  task: TaskMessage & { params: P };
  /** Aborts when the task is cancelled or passes its type's timeout. Pass it on to anything that waits. */
  signal: AbortSignal;
  /** 0–100; buffered and sent as a status event at most once a second. */
  progress(percent: number): void;
  /** A line of the job's log, kept on the task (the last 200 lines). */
  log(message: string, level?: 'info' | 'warn' | 'error'): void;
  artifacts: ArtifactWriter;
  /** S3, for reading inputs such as an uploaded zip. */
  store: ObjectStore;
  /** The database connection, for reading (and, for imports, writing) the school dataset. */
  db: Connection;
  logger: Logger;
  /**
   * A workflow's fan-in stage: the outputs of its fan-out's children, one per child, from a cursor (in no
   * particular order: sort by `item` if order matters). Throws on a task that is no fan-in.
   */
  stageResults(): AsyncIterable<StageOutput>;
}

/** A declared workflow (libs/contracts workflows.ts) the task continues as, and what its first stage receives. */
export interface ContinueAs {
  workflow: string;
  params: Record<string, unknown>;
}

export interface JobOutcome {
  /** A small JSON summary kept on the task as `result`. */
  result?: Record<string, unknown>;
  /**
   * Fan-out: the task continues as this workflow (e.g. one child per batch), run by the workflow engine on this
   * task; it finishes when the workflow does (succeeded listing every child's artifacts, failed if one child
   * fails for good, cancelled with its children).
   */
  continueAs?: ContinueAs;
}

export type JobHandler<P = Record<string, unknown>> = (ctx: JobContext<P>) => Promise<JobOutcome | void>;

/** Thrown by a handler for a failure that retrying cannot fix (bad input): the task fails at once. */
export class PermanentJobError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'PermanentJobError';
  }
}

/** Thrown by a handler for a failure worth retrying (the default for any other error). */
export class RetriableJobError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'RetriableJobError';
  }
}
