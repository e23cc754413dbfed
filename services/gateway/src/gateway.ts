import { hostname, tmpdir } from 'node:os';
import type { AddressInfo } from 'node:net';
import mongoose, { type Connection } from 'mongoose';
import type { FastifyInstance } from 'fastify';
import { brokerUrls, managementUrls } from '@taskyard/config';
import { createLogger, type Logger } from '@taskyard/logging';
import { BrokerConnection, ConfirmPublisher, declareTopology } from '@taskyard/messaging';
import { ObjectStore } from '@taskyard/storage';
import { ensureScheduleIndexes, scheduleModels } from '@taskyard/schedules';
import { ListMarks, Outbox, adminSettingModel, adminSettingReader, ensureTaskIndexes, jobRequestModel, jobTypePauseModel, processorModels, taskModels, taskStatsModel } from '@taskyard/tasks';
import { KeyRing } from './api-keys';
import { registerBacklogGauges } from './backlog-metrics';
import { buildApp } from './app';
import type { GatewayConfig } from './config';
import { DeadLetters } from './dead-letters';
import type { GatewayDeps } from './deps';
import { JobCatalog } from './job-catalog';
import { submitChecks } from './submit-checks';
import { LiveOutboundRules, outboundRulesFromEnv } from '@taskyard/address-guard';
import { HarvestHostsSettings } from './harvest-hosts-settings';
import { API_HARVEST_HOST_SETTINGS, HARVEST_HOSTS_MAX_STALE_MS, HARVEST_HOSTS_REFRESH_MS, HARVEST_HOSTS_SETTING_ID, type HarvestHostLists } from '@taskyard/contracts';
import { DEFAULT_KEY_CACHE_MS, Keys, ManagedKeys } from './managed-keys';
import { InFlight } from './in-flight';
import { JobRequests } from './job-requests';
import { leaseExpiryConsumer } from './lease-expiry';
import { ProcessorLeases } from './processor-leases';
import { RequestManager } from './request-manager';
import { GatewayMetrics } from './metrics';
import { OUTBOX_IDLE_MAX_MS, OutboxRelay } from './outbox-relay';
import { RabbitManagement } from './rabbit-management';
import { Readiness } from './readiness';
import { SseHub } from './sse-hub';
import { ScheduleService } from './schedule-service';
import { WorkflowService } from './workflow-service';
import { ensureWorkflowIndexes, workflowModels } from '@taskyard/workflows';
import { TaskControl } from './task-control';
import { BatchSubmission } from './batch-submission';
import { JobTypeControl } from './job-type-control';
import { TaskCancellation } from './task-cancellation';
import { TaskOverview } from './task-overview';
import { TaskQueries } from './task-queries';
import { TaskSubmission } from './task-submission';
import { UploadIntake } from './upload-intake';

export interface RunningGateway {
  app: FastifyInstance;
  /** What the app was built from (tests reach the hub, the queries, the metrics through it). */
  deps: GatewayDeps;
  /** The outbox relay (tests read its back-off). */
  relay: OutboxRelay;
  url: string;
  close(): Promise<void>;
}

async function connectDatabase(url: string): Promise<Connection> {
  // No command buffering and bounded socket waits: a database call fails by its deadline, never hangs.
  return mongoose
    .createConnection(url, {
      serverSelectionTimeoutMS: 5000,
      socketTimeoutMS: 15_000,
      connectTimeoutMS: 5000,
      maxPoolSize: 50,
      bufferCommands: false,
      autoIndex: false,
      autoCreate: false,
    })
    .asPromise();
}

/** Resolves when the broker is connected, or after `ms` (it keeps trying; tasks wait in the outbox). */
function brokerOrTimeout(broker: BrokerConnection, ms: number, logger: Logger): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      logger.warn({ waitedMs: ms }, 'broker not reachable yet; serving anyway, submissions go through the outbox');
      resolve();
    }, ms);
    void broker.start().then(() => {
      clearTimeout(timer);
      resolve();
    });
  });
}

const DRAIN_MS = 15_000;
/**
 * Connections the kernel may hold for the gateway before it accepts them (Node's default is 511): 1,000
 * clients connecting at once, while the event loop is busy, overflowed it and some got a reset.
 * The kernel caps it at net.core.somaxconn (4096 on Debian).
 */
export const LISTEN_BACKLOG = 4096;

/**
 * Stops taking requests, lets the write paths under way finish (bounded), then drops what is left:
 * keep-alive connections that went idle after closing began would otherwise hold `close()` open.
 */
async function closeHttp(app: FastifyInstance, inFlight: InFlight, logger: Logger): Promise<void> {
  const closed = app.close();
  const sweep = setInterval(() => app.server.closeIdleConnections(), 100);
  try {
    if (!(await inFlight.drain(DRAIN_MS))) logger.warn({ inFlight: inFlight.size }, 'shutdown: requests still under way after the grace period');
    const done = await Promise.race([closed.then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), 1000))]);
    if (!done) app.server.closeAllConnections();
    await closed;
  } finally {
    clearInterval(sweep);
  }
}

/**
 * Starts the gateway: connects the database (and creates the task indexes), the broker (declares the
 * topology, opens the confirm channel and the SSE hub's queue), S3; starts the outbox relay; listens.
 */
export async function startGateway(config: GatewayConfig): Promise<RunningGateway> {
  const logger = config.logger ?? createLogger('gateway');
  const dbTimeoutMs = config.dbTimeoutMs ?? 5000;
  const conn = await connectDatabase(config.servers.mongoUrl);
  const models = taskModels(conn);
  await ensureTaskIndexes(models);
  const managedKeys = new ManagedKeys(conn, logger, { dbTimeoutMs, cacheMs: config.keyCacheMs ?? DEFAULT_KEY_CACHE_MS });
  await managedKeys.ensureIndexes();
  const scheduleDb = scheduleModels(conn);
  await ensureScheduleIndexes(scheduleDb);
  const wfModels = workflowModels(conn);
  await ensureWorkflowIndexes(wfModels);
  const JobRequest = jobRequestModel(conn);
  await JobRequest.createIndexes();

  const store = new ObjectStore(config.servers.s3);
  const broker = new BrokerConnection(brokerUrls(config.servers), logger, `gateway@${hostname()}:${process.pid}`);
  await broker.onConnect(async (c) => {
    const ch = await c.createChannel();
    await declareTopology(ch, config.jobTypes.values());
    await ch.close();
  });
  const publisher = new ConfirmPublisher(broker, logger);
  await publisher.start();
  const hub = new SseHub(broker, logger);
  await hub.start();
  await brokerOrTimeout(broker, config.brokerStartTimeoutMs ?? 10_000, logger);

  const metrics = new GatewayMetrics();
  const inFlight = new InFlight();
  const hostDefaults = config.harvestHosts ?? outboundRulesFromEnv({}, API_HARVEST_HOST_SETTINGS);
  const hostsRefreshMs = config.harvestHostsRefreshMs ?? HARVEST_HOSTS_REFRESH_MS;
  const liveHosts = new LiveOutboundRules({
    defaults: hostDefaults,
    read: adminSettingReader<HarvestHostLists>(conn, HARVEST_HOSTS_SETTING_ID, dbTimeoutMs),
    refreshMs: hostsRefreshMs,
    maxStaleMs: Math.max(HARVEST_HOSTS_MAX_STALE_MS, 3 * hostsRefreshMs),
    onProblem: (message) => logger.warn(message),
  });
  await liveHosts.start();
  const catalog = new JobCatalog(config.jobTypes, submitChecks(() => liveHosts.current()));
  const queries = new TaskQueries(models.Task, models.ListMark, dbTimeoutMs, models.CallbackDelivery);
  const submission = new TaskSubmission(models, publisher, catalog, logger, metrics, inFlight, dbTimeoutMs, config.outboxGraceMs);
  const relay = new OutboxRelay(models, broker, publisher, logger, metrics, { intervalMs: config.outboxIntervalMs ?? 1000, idleMaxMs: config.outboxIdleMaxMs ?? OUTBOX_IDLE_MAX_MS }, dbTimeoutMs);
  relay.wakeOn(submission.outbox);
  relay.start();

  const presignSeconds = config.presignSeconds ?? 900;
  const presign = (key: string, name: string): Promise<string> => store.presign(key, presignSeconds, name);
  const leases = new ProcessorLeases({ models: { ...processorModels(conn), Task: models.Task, Pause: jobTypePauseModel(conn) }, broker, publisher, catalog, logger, dbTimeoutMs });
  const leaseChecks = leases.externalTypes().length ? leaseExpiryConsumer(broker, leases, logger) : undefined;
  await leaseChecks?.start();
  const managementApis = managementUrls(config.servers);
  const management = managementApis.length ? new RabbitManagement(managementApis, config.servers.rabbitmqUrl) : undefined;
  const typeNames = (): string[] => catalog.list().map((d) => d.type);
  registerBacklogGauges(metrics, { types: typeNames, management, Outbox: models.Outbox, timeoutMs: dbTimeoutMs });
  const statsModel = taskStatsModel(conn);
  await statsModel.createIndexes();
  const cancellation = new TaskCancellation(models, queries, publisher, logger, inFlight);
  const launch = { models, workflowModels: wfModels, publisher, jobTypes: config.jobTypes, logger, marks: new ListMarks(models.ListMark, dbTimeoutMs), outbox: new Outbox(models.Outbox, config.outboxGraceMs) };
  relay.wakeOn(launch.outbox);
  const deps: GatewayDeps = {
    logger,
    keys: new Keys([new KeyRing(config.keys), managedKeys]),
    managedKeys,
    catalog,
    submission,
    queries,
    cancellation,
    workflows: new WorkflowService(launch, catalog, queries, cancellation, inFlight, dbTimeoutMs),
    schedules: new ScheduleService(scheduleDb, catalog, dbTimeoutMs),
    batchSubmission: new BatchSubmission(models, submission, metrics, inFlight),
    taskControl: new TaskControl(models, queries, submission, catalog, publisher, logger, inFlight, dbTimeoutMs),
    jobTypeControl: new JobTypeControl(jobTypePauseModel(conn), broker, publisher, metrics, () => catalog.list().map((d) => d.type), dbTimeoutMs),
    intake: new UploadIntake(store, catalog, config.uploadDir ?? tmpdir(), config.uploadsPerOwner),
    hub,
    deadLetters: new DeadLetters(broker, submission, models.Task, logger, dbTimeoutMs),
    management,
    overview: new TaskOverview(statsModel, { types: typeNames, management, timeoutMs: dbTimeoutMs }),
    readiness: new Readiness(conn, publisher, store),
    metrics,
    presign,
    presignSeconds,
    consoleDir: config.consoleDir,
    objectStoreOrigin: new URL(config.servers.s3.endpoint).origin,
    timeouts: config.timeouts,
    store,
    leases,
    requestManager: new RequestManager({ store, submission, queries, leases, presign }),
    jobRequests: new JobRequests({ JobRequest, Task: models.Task, submission, presign, presignSeconds, dbTimeoutMs }),
    harvestHosts: new HarvestHostsSettings(adminSettingModel(conn), liveHosts, { allowed: [...hostDefaults.allowed.entries], privateHosts: [...hostDefaults.privateHosts.entries] }, hostsRefreshMs, dbTimeoutMs),
  };
  const app = await buildApp(deps);
  await app.listen({ port: config.port, host: config.host, backlog: LISTEN_BACKLOG });
  const { port } = app.server.address() as AddressInfo;
  const shownHost = config.host === '0.0.0.0' || config.host === '::' ? '127.0.0.1' : config.host;
  logger.info({ port, jobTypes: [...config.jobTypes.keys()] }, 'gateway listening');

  return {
    app,
    deps,
    relay,
    url: `http://${shownHost}:${port}`,
    async close() {
      // SSE streams first: an open stream would keep the server from closing.
      await hub.close();
      await closeHttp(app, inFlight, logger);
      // The outbox entries of answered submits are deleted in the background; and the ids reserved ahead go.
      await submission.outbox.close();
      await leaseChecks?.stop(5_000);
      await relay.stop();
      liveHosts.stop();
      await publisher.close();
      await broker.close();
      await conn.close();
      store.close();
    },
  };
}
