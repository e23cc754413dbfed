import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { Server } from 'node:http';
import mongoose from 'mongoose';
import { brokerUrls, type ServerUrls } from '@taskyard/config';
import { SCHEDULED_DUE_QUEUE, type JobTypeDefinition } from '@taskyard/contracts';
import { createLogger, type Logger } from '@taskyard/logging';
import { BrokerConnection, ConfirmPublisher, QueueConsumer, SERVICE_REPUBLISH_WITHIN_MS, declareTopology } from '@taskyard/messaging';
import { ensureScheduleIndexes, scheduleModels, taskTemplateSubmitter } from '@taskyard/schedules';
import { ensureTaskIndexes, taskModels } from '@taskyard/tasks';
import { startHealthServer } from '@taskyard/worker';
import { onDue } from './due-release';
import { CLOCK_DEFAULTS, ScheduleClock, type ClockConfig } from './schedule-clock';
import { SchedulerMetrics } from './scheduler-metrics';

export interface SchedulerConfig {
  servers: ServerUrls;
  jobTypes: Map<string, JobTypeDefinition>;
  logger?: Logger;
  clock?: Partial<ClockConfig>;
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

  const submit = taskTemplateSubmitter({ models, publisher, jobTypes: cfg.jobTypes, logger });
  const clock = new ScheduleClock({ models: schedules, submit, logger, holder, metrics }, { ...CLOCK_DEFAULTS, ...cfg.clock });
  await clock.start();

  let health: Server | undefined;
  if (cfg.port !== undefined) {
    health = await startHealthServer({
      port: cfg.port,
      host: cfg.host,
      ready: async () => broker.connected && (await db.db!.admin().ping()).ok === 1,
      metrics: () => metrics.text(),
    });
  }
  logger.info({ holder }, 'scheduler started');
  return {
    metrics,
    holder,
    async stop() {
      await clock.stop();
      await releaser.stop(5_000);
      await publisher.close();
      await broker.close();
      await db.close();
      await new Promise((r) => (health ? health.close(r) : r(undefined)));
    },
  };
}
