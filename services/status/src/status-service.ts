import { randomUUID } from 'node:crypto';
import mongoose from 'mongoose';
import { brokerUrls, type ServerUrls } from '@taskyard/config';
import { CALLBACK_QUEUE, EXPIRED_QUEUE, type JobTypeDefinition } from '@taskyard/contracts';
import { createLogger, type Logger } from '@taskyard/logging';
import {
  BrokerConnection,
  ConfirmPublisher,
  DEFAULT_STATUS_PARTITIONS,
  QueueConsumer,
  SERVICE_REPUBLISH_WITHIN_MS,
  declareCallbackQueues,
  declareStatusPartitions,
  declareTimerQueues,
  declareTopology,
} from '@taskyard/messaging';
import { ObjectStore } from '@taskyard/storage';
import { EndedTasks, ListMarks, Outbox, PRUNE_DELAY_MS, PendingPrunes, ensureTaskIndexes, readStatusTotals, taskModels, taskStatsModel } from '@taskyard/tasks';
import { connectionsReady, startHealthServer } from '@taskyard/worker';
import { ensureWorkflowIndexes, workflowModels } from '@taskyard/workflows';
import { CallbackDelivery, DEFAULT_CALLBACK_TIMEOUT_MS, DEFAULT_CALLBACK_BACKOFF_MS, type CallbackConfig } from './callback-delivery';
import { EventBatcher } from './event-batcher';
import { foldBatch, type FolderDeps } from './event-folder';
import { onExpiredMessage } from './expired-in-queue';
import { StatusMetrics } from './status-metrics';
import { startSweepers } from './sweepers';
import { TaskStatsRecorder } from './task-stats-recorder';
import { WrittenTasks } from './written-tasks';

export interface StatusConfig {
  servers: ServerUrls;
  jobTypes: Map<string, JobTypeDefinition>;
  logger?: Logger;
  partitions?: number;
  /** How long events are gathered before one batch is folded. */
  batchWindowMs?: number;
  sweepIntervalMs?: number;
  /** Signs callbacks: required, there is no built-in secret (each deployment generates its own). */
  callbackSecret: string;
  /** Hosts callbacks may reach although they resolve to private or loopback addresses (admin's choice). */
  callbackAllowedHosts?: string[];
  /** Waits before callback retries (default DEFAULT_CALLBACK_BACKOFF_MS). */
  callbackBackoffMs?: number[];
  callbackTimeoutMs?: number;
  /** How often the overview's counters are written (default DEFAULT_STATS_FLUSH_MS). */
  statsFlushMs?: number;
  port?: number;
  host?: string;
}

export interface RunningStatusService {
  stop(): Promise<void>;
  metrics: StatusMetrics;
  stats: TaskStatsRecorder;
}

/** How long a scrape's tasks-by-status figures are reused (each scrape would otherwise read them). */
const TOTALS_CACHE_MS = 10_000;

function cached<T>(load: () => Promise<T>, ms: number): () => Promise<T> {
  let last: { at: number; value: Promise<T> } | undefined;
  return () => {
    if (!last || Date.now() - last.at > ms) {
      const value = load();
      last = { at: Date.now(), value };
      value.catch(() => (last = undefined));
    }
    return last.value;
  };
}

/** The status service: folds task events into tasks (the only writer after the insert) and runs the sweepers. */
export async function startStatusService(cfg: StatusConfig): Promise<RunningStatusService> {
  const logger = cfg.logger ?? createLogger('status');
  if (!cfg.callbackSecret || cfg.callbackSecret.length < 16) {
    throw new Error('CALLBACK_SECRET is not set (or shorter than 16 characters): callbacks are signed with a secret of this deployment; the local start generates one');
  }
  const callbackConfig: CallbackConfig = {
    secret: cfg.callbackSecret,
    allowedHosts: cfg.callbackAllowedHosts ?? [],
    timeoutMs: cfg.callbackTimeoutMs ?? DEFAULT_CALLBACK_TIMEOUT_MS,
    backoffMs: cfg.callbackBackoffMs ?? DEFAULT_CALLBACK_BACKOFF_MS,
  };
  const db = await mongoose
    .createConnection(cfg.servers.mongoUrl, { serverSelectionTimeoutMS: 10_000, socketTimeoutMS: 60_000, maxPoolSize: 32 })
    .asPromise();
  const models = taskModels(db);
  await ensureTaskIndexes(models);
  const wfModels = workflowModels(db);
  await ensureWorkflowIndexes(wfModels);
  const store = new ObjectStore(cfg.servers.s3);
  const broker = new BrokerConnection(brokerUrls(cfg.servers), logger, 'status');
  const publisher = new ConfirmPublisher(broker, logger, { republishWithinMs: SERVICE_REPUBLISH_WITHIN_MS });
  await publisher.start();
  const statsModel = taskStatsModel(db);
  await statsModel.createIndexes();
  const stats = new TaskStatsRecorder(statsModel, logger, { flushMs: cfg.statsFlushMs });
  stats.start();
  const metrics = new StatusMetrics(cached(() => readStatusTotals(statsModel, 5000), TOTALS_CACHE_MS));
  const partitions = cfg.partitions ?? DEFAULT_STATUS_PARTITIONS;
  const partitionQueues: string[] = [];
  await broker.onConnect(async (conn) => {
    const ch = await conn.createChannel();
    await declareTopology(ch, cfg.jobTypes.values());
    partitionQueues.splice(0, partitionQueues.length, ...(await declareStatusPartitions(ch, partitions)));
    await declareCallbackQueues(ch, callbackConfig.backoffMs);
    await declareTimerQueues(ch, [...cfg.jobTypes.values()].flatMap((d) => [d.limits.heartbeatWindowMs, d.limits.retentionMs]).concat(PRUNE_DELAY_MS));
    await ch.close();
  });
  await broker.start();

  const deps: FolderDeps = { models, publisher, logger, metrics, stats, store, marks: new ListMarks(models.ListMark), prunes: new PendingPrunes(), jobTypes: cfg.jobTypes, workflowModels: wfModels, outbox: new Outbox(models.Outbox) };
  const consumers = partitionQueues.map((queue) => {
    // What the partition's folds wrote last: dropped whenever its consumer may have lost the queue.
    const written = new WrittenTasks();
    // What the partition's folds ended: kept across a lost hold (an end is final whoever writes next).
    const partition: FolderDeps = { ...deps, written, ended: new EndedTasks() };
    const batcher = new EventBatcher((msgs) => foldBatch(partition, msgs), {
      windowMs: cfg.batchWindowMs ?? 10,
      maxBatch: 200,
      onFailure: (err, size, requeued) => logger.warn({ queue, size, err: (err as Error).message }, requeued ? 'a batch of events failed; requeued' : 'a batch of events failed; folded again'),
    });
    return new QueueConsumer(broker, { queue, prefetch: 200, singleActive: true, onLost: () => written.drop() }, (msg) => batcher.add(msg), logger);
  });
  consumers.push(new QueueConsumer(broker, { queue: EXPIRED_QUEUE, prefetch: 20 }, (msg) => onExpiredMessage(publisher, msg), logger));
  // Its own consumer and prefetch: deliveries wait on receivers, folds never wait on them.
  const callbacks = new CallbackDelivery(models, publisher, logger, callbackConfig, metrics);
  consumers.push(new QueueConsumer(broker, { queue: CALLBACK_QUEUE, prefetch: 16 }, (msg) => callbacks.handle(msg), logger));
  for (const c of consumers) await c.start();

  const stopSweepers = startSweepers(
    {
      models, publisher, store, jobTypes: cfg.jobTypes, logger, holder: `status:${randomUUID().slice(0, 8)}`,
      onRecovered: (sweep, n) => metrics.sweeperRecoveries.inc({ sweep }, n),
    },
    cfg.sweepIntervalMs ?? 15_000,
  );
  const health = await startHealthServer({ port: cfg.port, host: cfg.host, ready: connectionsReady({ broker, db }), metrics: (name) => metrics.text(name) });
  logger.info({ partitions }, 'status service started');
  return {
    metrics,
    stats,
    async stop() {
      stopSweepers();
      for (const c of consumers) await c.stop(10_000);
      await stats.stop();
      await publisher.close();
      await broker.close();
      await db.close();
      store.close();
      await health.close();
    },
  };
}
