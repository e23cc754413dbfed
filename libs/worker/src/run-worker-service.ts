import mongoose from 'mongoose';
import { brokerUrls, loadServerUrls, type ServerUrls } from '@taskyard/config';
import { jobTypesFromEnv, type JobTypeDefinition } from '@taskyard/contracts';
import { createLogger, runServiceProcess, type Logger } from '@taskyard/logging';
import { BrokerConnection, ConfirmPublisher, SERVICE_REPUBLISH_WITHIN_MS } from '@taskyard/messaging';
import { ObjectStore } from '@taskyard/storage';
import { jobTypePauseModel, taskModels } from '@taskyard/tasks';
import type { WorkerDefinition } from './define-worker';
import { connectionsReady, startHealthServer } from './health-server';
import { WorkerEngine } from './worker-engine';
import { WorkerMetrics } from './worker-metrics';

export interface WorkerOptions {
  servers: ServerUrls;
  /** The job type as configured (limits applied). */
  jobType: JobTypeDefinition;
  logger?: Logger;
  /** Port for /healthz, /readyz, /metrics; none when undefined. */
  port?: number;
  host?: string;
  heartbeatMs?: number;
  flushMs?: number;
  /** How long a run's `started` waits to ride on its outcome (default DEFAULT_START_DELAY_MS). */
  startDelayMs?: number;
  /** How often the pause state is re-read besides the control commands (default 5 s). */
  pausePollMs?: number;
  /**
   * How far the clocks of the hosts that submit and run a task may differ (default CLOCK_MARGIN_MS): a task
   * created this soon after the worker's cancel watch began is read before it runs. One host (tests): 0.
   */
  clockMarginMs?: number;
}

export interface RunningWorker {
  engine: WorkerEngine<unknown>;
  /** Graceful: stop taking tasks, finish (or after `graceMs` requeue) those in hand, close connections. */
  stop(graceMs?: number): Promise<void>;
}

/** Starts a worker in this process: database, S3, broker, the engine, and its health server. */
export async function startWorker<P>(def: WorkerDefinition<P>, opts: WorkerOptions): Promise<RunningWorker> {
  const logger = opts.logger ?? createLogger(def.type);
  const db = await mongoose
    .createConnection(opts.servers.mongoUrl, { serverSelectionTimeoutMS: 10_000, socketTimeoutMS: 60_000, maxPoolSize: 20 })
    .asPromise();
  const store = new ObjectStore(opts.servers.s3);
  const broker = new BrokerConnection(brokerUrls(opts.servers), logger, `worker:${def.type}`);
  const publisher = new ConfirmPublisher(broker, logger, { republishWithinMs: SERVICE_REPUBLISH_WITHIN_MS });
  await publisher.start();
  const metrics = new WorkerMetrics();
  const engine = new WorkerEngine(def, {
    broker,
    publisher,
    models: taskModels(db),
    db,
    store,
    logger,
    jobType: opts.jobType,
    metrics,
    heartbeatMs: opts.heartbeatMs,
    flushMs: opts.flushMs,
    startDelayMs: opts.startDelayMs,
    JobTypePause: jobTypePauseModel(db),
    pausePollMs: opts.pausePollMs,
    clockMarginMs: opts.clockMarginMs,
  });
  await engine.start();
  await broker.start();
  const health = await startHealthServer({ port: opts.port, host: opts.host, ready: connectionsReady({ broker, db, store }), metrics: () => metrics.text() });
  logger.info({ type: def.type, workerId: engine.workerId }, 'worker started');
  return {
    engine: engine as WorkerEngine<unknown>,
    async stop(graceMs = 20_000) {
      await engine.stop(graceMs);
      await publisher.close();
      await broker.close();
      await db.close();
      store.close();
      await health.close();
    },
  };
}

/** `START_DELAY_MS`: how long a run's `started` waits to ride on its outcome (RunEvents); unset, the default. */
export function startDelayFromEnv(env: Record<string, string | undefined>): number | undefined {
  const raw = env.START_DELAY_MS;
  if (raw === undefined || raw === '') return undefined;
  const ms = Number(raw);
  if (!Number.isInteger(ms) || ms < 0) throw new Error(`START_DELAY_MS must be a whole number of milliseconds (0 or more); not "${raw}"`);
  return ms;
}

/** The main of a worker service: configuration from the environment, graceful stop on SIGTERM/SIGINT. */
export function runWorkerService<P>(def: WorkerDefinition<P>, env: Record<string, string | undefined> = process.env): void {
  const logger = createLogger(def.type, env);
  const jobType = jobTypesFromEnv(env).get(def.type);
  if (!jobType) {
    logger.error({ type: def.type }, 'job type not enabled by configuration; exiting');
    process.exit(1);
  }
  const graceMs = Number(env.SHUTDOWN_GRACE_MS ?? 20_000);
  const startDelayMs = startDelayFromEnv(env);
  runServiceProcess({
    name: def.type,
    logger,
    // The grace for tasks in hand, then the connections' closing.
    stopDeadlineMs: graceMs + 10_000,
    start: async () => {
      const worker = await startWorker(def, { servers: loadServerUrls(env), jobType, logger, port: Number(env.PORT ?? 0), host: env.HOST, startDelayMs });
      return { stop: () => worker.stop(graceMs) };
    },
  });
}
