import { randomUUID } from 'node:crypto';
import mongoose, { type Connection } from 'mongoose';
import { jobTypes, type JobLimits, type JobTypeDefinition } from '@taskyard/contracts';
import { createLogger } from '@taskyard/logging';
import { BrokerConnection, ConfirmPublisher, publishTask } from '@taskyard/messaging';
import { firstMessageOf, readTask, taskModels, type TaskModels, type TaskRecord } from '@taskyard/tasks';
import { testServers, waitFor, type TestServers } from '@taskyard/testing';
import { startWorker, type RunningWorker, type WorkerDefinition, type WorkerOptions } from '@taskyard/worker';
import { startStatusService, type RunningStatusService, type StatusConfig } from '../src/status-service';

/** The status service and workers running in-process against one test file's real servers. */
export interface Harness {
  servers: TestServers;
  db: Connection;
  models: TaskModels;
  publisher: ConfirmPublisher;
  types: Map<string, JobTypeDefinition>;
  status: RunningStatusService[];
  workers: RunningWorker[];
  /** Inserts a task as the gateway does and publishes it. */
  submit(type: string, params: Record<string, unknown>, owner?: string): Promise<string>;
  task(id: string): Promise<TaskRecord>;
  waitForStatus(id: string, statuses: string[], timeoutMs?: number): Promise<TaskRecord>;
  /** One more status replica (closed with the harness). */
  startStatus(): Promise<RunningStatusService>;
  /** A worker of the harness's servers; `opts` overrides its defaults (heartbeat, flush, start delay). */
  startWorker<P>(def: WorkerDefinition<P>, opts?: Partial<WorkerOptions>): Promise<RunningWorker>;
  close(): Promise<void>;
}

/** The callback secret of the harness's status services. */
export const TEST_CALLBACK_SECRET = 'test-callback-secret-0123456789';

export interface HarnessOptions {
  statusReplicas?: number;
  partitions?: number;
  status?: Partial<StatusConfig>;
}

export async function startHarness(label: string, limits: Partial<JobLimits>, opts: HarnessOptions = {}): Promise<Harness> {
  const servers = await testServers(label);
  const types = jobTypes({ enableDiagnostic: true, limitOverrides: { diagnostic: limits } });
  const logger = createLogger('test');
  const db = await mongoose.createConnection(servers.mongoUrl).asPromise();
  const models = taskModels(db);
  const broker = new BrokerConnection(servers.rabbitmqUrl, logger, 'test-harness');
  const publisher = new ConfirmPublisher(broker, logger);
  await publisher.start();
  await broker.start();
  const status: RunningStatusService[] = [];
  const startStatus = async (): Promise<RunningStatusService> => {
    const s = await startStatusService({
      servers, jobTypes: types, logger, sweepIntervalMs: 1000, partitions: opts.partitions ?? 4, callbackSecret: TEST_CALLBACK_SECRET, ...opts.status,
    });
    status.push(s);
    return s;
  };
  for (let i = 0; i < (opts.statusReplicas ?? 1); i++) await startStatus();
  const workers: RunningWorker[] = [];
  const h: Harness = {
    servers,
    db,
    models,
    publisher,
    types,
    status,
    workers,
    startStatus,
    async submit(type, params, owner = 'owner-1') {
      const id = randomUUID();
      const now = new Date();
      const def = types.get(type)!;
      await models.Task.create({
        _id: id, type, title: `${type} test`, owner, params, status: 'queued', progress: 0, attempt: 0,
        maxAttempts: def.limits.maxAttempts, artifacts: [], logs: [], createdAt: now, queuedAt: now,
      });
      // Its message as the gateway makes it (with `inserted`: its run's first event folds without a read).
      await publishTask(publisher, firstMessageOf({ _id: id, type, owner, title: `${type} test`, params, maxAttempts: def.limits.maxAttempts, createdAt: now }));
      return id;
    },
    async task(id) {
      return (await readTask<TaskRecord>(models.Task, id, {}, 10_000))!;
    },
    waitForStatus(id, statuses, timeoutMs = 30_000) {
      return waitFor(`task ${id} to be ${statuses.join('|')}`, async () => {
        const t = await h.task(id);
        return t && statuses.includes(t.status) ? t : undefined;
      }, { timeoutMs, intervalMs: 100 });
    },
    async startWorker(def, opts) {
      const w = await startWorker(def, { servers, jobType: types.get(def.type)!, logger, heartbeatMs: 500, flushMs: 200, ...opts });
      workers.push(w);
      return w;
    },
    async close() {
      for (const w of workers) await w.stop(1000).catch(() => undefined);
      for (const s of status) await s.stop().catch(() => undefined);
      await publisher.close();
      await broker.close();
      await db.close();
      await servers.cleanup();
    },
  };
  return h;
}
