import { randomUUID } from 'node:crypto';
import type { Readable } from 'node:stream';
import type { Connection } from 'mongoose';
import type { ArtifactRef, LogLine, TaskMessage } from '@taskyard/contracts';
import { createLogger } from '@taskyard/logging';
import { artifactKey, type ObjectStore } from '@taskyard/storage';
import type { JobContext, JobOutcome, WorkerDefinition } from '@taskyard/worker';

/**
 * Runs a job handler without the engine, on real servers: a real ObjectStore and a real database
 * connection, with progress, log lines and artifacts collected in memory (a fan-out is the outcome's `continueAs`). For the
 * handlers' tests and benchmarks; the engine (libs/worker) builds the real JobContext.
 */
export interface DirectRun<P> {
  ctx: JobContext<P>;
  progress: number[];
  logs: LogLine[];
  artifacts: ArtifactRef[];
  abort(reason?: string): void;
}

export interface DirectRunOptions<P> {
  type: string;
  params: P;
  db: Connection;
  store: ObjectStore;
  taskId?: string;
  attempt?: number;
  maxAttempts?: number;
}

export function directJobContext<P>(opts: DirectRunOptions<P>): DirectRun<P> {
  const controller = new AbortController();
  const taskId = opts.taskId ?? randomUUID();
  const run: Omit<DirectRun<P>, 'ctx'> = {
    progress: [],
    logs: [],
    artifacts: [],
    abort: (reason) => controller.abort(new Error(reason ?? 'aborted')),
  };
  const task: TaskMessage & { params: P } = {
    id: taskId,
    type: opts.type,
    owner: 'test-owner',
    title: `${opts.type} (direct)`,
    params: opts.params as Record<string, unknown> & P,
    attempt: opts.attempt ?? 1,
    maxAttempts: opts.maxAttempts ?? 3,
    createdAt: new Date().toISOString(),
  };
  const ctx: JobContext<P> = {
    task,
    signal: controller.signal,
    progress: (p) => void run.progress.push(p),
    log: (message, level = 'info') => void run.logs.push({ at: new Date().toISOString(), level, message }),
    artifacts: {
      async write(name: string, body: Buffer | string | Readable, contentType: string): Promise<ArtifactRef> {
        const key = artifactKey(opts.type, taskId, name);
        const size = await opts.store.put(key, body, contentType, controller.signal);
        const ref = { name, key, size, contentType };
        run.artifacts.push(ref);
        return ref;
      },
    },
    store: opts.store,
    db: opts.db,
    logger: createLogger(opts.type),
    stageResults() {
      throw new Error('a direct run is no workflow stage: it has no stage results');
    },
  };
  return { ...run, ctx };
}

/** Builds a context and runs the worker's handler in it. */
export async function runDirect<P>(
  worker: WorkerDefinition<P>,
  opts: Omit<DirectRunOptions<P>, 'type'>,
): Promise<DirectRun<P> & { outcome: JobOutcome | void }> {
  const run = directJobContext({ ...opts, type: worker.type });
  const outcome = await worker.handler(run.ctx);
  return { ...run, outcome };
}
