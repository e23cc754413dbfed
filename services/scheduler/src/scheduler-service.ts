import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import mongoose from 'mongoose';
import { brokerUrls, type ServerUrls } from '@taskyard/config';
import { SCHEDULED_DUE_QUEUE, type JobTypeDefinition } from '@taskyard/contracts';
import { createLogger, type Logger } from '@taskyard/logging';
import { BrokerConnection, ConfirmPublisher, QueueConsumer, SERVICE_REPUBLISH_WITHIN_MS, declareTopology } from '@taskyard/messaging';
import { OccurrenceHistory, OccurrencePruner, PRUNE_DEFAULTS, ensureScheduleIndexes, scheduleModels, templateSubmitter, type PruneConfig } from '@taskyard/schedules';
import { ensureWorkflowIndexes, workflowModels } from '@taskyard/workflows';
import { ensureTaskIndexes, taskModels } from '@taskyard/tasks';
import { connectionsReady, startHealthServer } from '@taskyard/worker';
import { onDue } from './due-release';
import { CLOCK_DEFAULTS, ScheduleClock, type ClockConfig } from './schedule-clock';
import { SchedulerMetrics } from './scheduler-metrics';

export interface SchedulerConfig {
  servers: ServerUrls;
  jobTypes: Map<string, JobTypeDefinition>;
  logger?: Logger;
  clock?: Partial<ClockConfig>;
  /** The schedules' history pruner (days kept, a pass's bounds). */
  prune?: Partial<PruneConfig>;
  /** How often old history is pruned (also once at start). */
  pruneEveryMs?: number;
  /** Scheduled tasks released at once (the due queue's prefetch). */
  releasePrefetch?: number;
  port?: number;
  host?: string;
}

export interface RunningScheduler {
  metrics: SchedulerMetrics;
  holder: string;
  stop(): Promise<void>;
}

/** Old history is looked for hourly: days are pruned whole, so more often finds nothing new. */
export const PRUNE_EVERY_MS = 3_600_000;

/**
 * The scheduler service, any number of replicas: fires cron schedules (each occurrence decided by a
 * unique insert) and releases tasks submitted with runAt (the due queue, shared by the replicas).
 */
export async function startScheduler(cfg: SchedulerConfig): Promise<RunningScheduler> {
  const logger = cfg.logger ?? createLogger('scheduler');
  const holder = `scheduler@${hostname()}:${process.pid}:${randomUUID().slice(0, 6)}`;
  const db = await mongoose
    .createConnection(cfg.servers.mongoUrl, { serverSelectionTimeoutMS: 10_000, socketTimeoutMS: 30_000, maxPoolSize: 16, autoIndex: false })
    .asPromise();
  const models = taskModels(db);
  const schedules = scheduleModels(db);
  await ensureTaskIndexes(models);
  await ensureScheduleIndexes(schedules);
  const broker = new BrokerConnection(brokerUrls(cfg.servers), logger, holder);
  await broker.onConnect(async (conn) => {
    const ch = await conn.createChannel();
    await declareTopology(ch, cfg.jobTypes.values());
    await ch.close();
  });
  const publisher = new ConfirmPublisher(broker, logger, { republishWithinMs: SERVICE_REPUBLISH_WITHIN_MS });
  await publisher.start();
  const metrics = new SchedulerMetrics();
  const releaser = new QueueConsumer(
    broker,
    { queue: SCHEDULED_DUE_QUEUE, prefetch: cfg.releasePrefetch ?? 50 },
    (msg) => onDue({ models, publisher, logger, metrics }, msg),
    logger,
  );
  await releaser.start();
  await broker.start();

  const wfModels = workflowModels(db);
  await ensureWorkflowIndexes(wfModels);
  const submit = templateSubmitter({ models, workflowModels: wfModels, publisher, jobTypes: cfg.jobTypes, logger });
  const history = new OccurrenceHistory(schedules);
  const clock = new ScheduleClock({ models: schedules, submit, logger, holder, metrics, history }, { ...CLOCK_DEFAULTS, ...cfg.clock });
  await clock.start();
  const pruner = new OccurrencePruner(schedules, logger, { ...PRUNE_DEFAULTS, ...cfg.prune });
  let pruning: Promise<void> | undefined;
  const prune = (): void => {
    pruning ??= pruner
      .pass()
      .then((r) => void metrics.pruned.inc(r.occurrences))
      .catch((err: Error) => logger.warn({ err: err.message }, 'history prune pass failed; the next one retries'))
      .finally(() => (pruning = undefined));
  };
  prune();
  const pruneTimer = setInterval(prune, cfg.pruneEveryMs ?? PRUNE_EVERY_MS);

  const health = await startHealthServer({ port: cfg.port, host: cfg.host, ready: connectionsReady({ broker, db }), metrics: () => metrics.text() });
  logger.info({ holder }, 'scheduler started');
  return {
    metrics,
    holder,
    async stop() {
      await clock.stop();
      clearInterval(pruneTimer);
      await pruning;
      await releaser.stop(5_000);
      await publisher.close();
      await broker.close();
      await db.close();
      await health.close();
    },
  };
}
