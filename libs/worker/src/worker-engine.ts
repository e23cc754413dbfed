import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { ConsumeMessage } from 'amqplib';
import type { Connection } from 'mongoose';
import {
  HEADER,
  MESSAGES_AHEAD,
  TASK_EVENTS_EXCHANGE,
  backoffFor,
  TASK_PRIORITIES,
  eventKindBinding,
  declaredWorkflow,
  isTerminal,
  priorityQueueName,
  type TaskPriority,
  type ArtifactRef,
  type JobTypeDefinition,
  type TaskEvent,
  type TaskMessage,
} from '@taskyard/contracts';
import { taskLogger, type Logger } from '@taskyard/logging';
import {
  BrokerConnection,
  ConfirmPublisher,
  QueueConsumer,
  declareExchanges,
  declareJobType,
  parseJson,
  publishDeadLetter,
  publishRetry,
  type Settlement,
} from '@taskyard/messaging';
import { artifactKey, type ObjectStore } from '@taskyard/storage';
import { RunClaims, readTask, runClaimModel, type JobTypePauseRecord, type TaskModels, type TaskRecord } from '@taskyard/tasks';
import type { Model } from 'mongoose';
import type { WorkerDefinition } from './define-worker';
import { CancelWatch } from './cancel-watch';
import { RunEvents } from './event-stream';
import { PermanentJobError, type JobContext, type JobOutcome } from './job-context';
import { JobAborted, classifyFailure, type AbortReason } from './job-failure';
import { PauseSwitch } from './pause-switch';
import { PriorityGate } from './priority-gate';
import type { WorkerMetrics } from './worker-metrics';
import { readStageOutputs, workflowModels } from '@taskyard/workflows';

export interface WorkerDeps {
  broker: BrokerConnection;
  publisher: ConfirmPublisher;
  models: TaskModels;
  db: Connection;
  store: ObjectStore;
  logger: Logger;
  jobType: JobTypeDefinition;
  metrics: WorkerMetrics;
  /** How often a running job reports it is alive (default: a third of the heartbeat window, at most 10 s). */
  heartbeatMs?: number;
  flushMs?: number;
  /** How long a run's `started` waits to ride on its outcome (default DEFAULT_START_DELAY_MS). */
  startDelayMs?: number;
  /** The job types' pause documents; without it the worker never pauses. */
  JobTypePause?: Model<JobTypePauseRecord>;
  pausePollMs?: number;
  /** How far the clocks of the submitting and running hosts may differ (default CLOCK_MARGIN_MS; see CancelWatch). */
  clockMarginMs?: number;
}

interface Running {
  controller: AbortController;
  abort(reason: AbortReason): void;
}

/**
 * Messages whose attempt is claimed (RunClaims, a unique insert of `<taskId>:<attempt>`) before it runs: those
 * the status service may publish twice for one attempt. A workflow's stage task (and fan-out child) is
 * launched again when its launch repeats (a restarted status service, a repeated retry), and republished
 * while still queued: both its messages carry `stage`, so both claim and one runs. A next attempt after a
 * lost heartbeat is marked by its publisher. Every other message is published once per attempt (a plain
 * task: by its submit; an outbox relay only after the grace period, and it reads the task first), so the
 * hot path of a plain task pays no write for this. A redelivered message whose attempt is claimed is the
 * same message again (its worker stopped): it is judged by the task's record as before (shouldRun).
 */
function withoutInserted(task: TaskMessage): TaskMessage {
  const copy = { ...task };
  delete copy.inserted;
  return copy;
}

function mayBePublishedTwice(task: TaskMessage, msg: ConsumeMessage): boolean {
  return task.stage !== undefined || msg.properties.headers?.[HEADER.claimRun] === true;
}

/**
 * The shared engine under every worker: takes tasks of one type, runs the handler with an AbortSignal
 * (cancel, timeout), reports status events, and decides retry (delay queue) or dead letter. A message is
 * acked only once the task's outcome has been published.
 */
export class WorkerEngine<P> {
  readonly workerId = `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
  private readonly consumers: QueueConsumer[] = [];
  private cancelConsumer?: QueueConsumer;
  private pauseSwitch?: PauseSwitch;
  private readonly running = new Map<string, Running>();
  private readonly gate: PriorityGate;
  private readonly cancels: CancelWatch;
  private readonly claims: RunClaims;

  /** Jobs this process runs at once. */
  private readonly slots: number;

  constructor(
    private readonly def: WorkerDefinition<P>,
    private readonly deps: WorkerDeps,
  ) {
    this.slots = def.concurrency ?? deps.jobType.limits.prefetch;
    this.gate = new PriorityGate(this.slots);
    this.cancels = new CancelWatch(undefined, deps.clockMarginMs);
    this.claims = new RunClaims(runClaimModel(deps.db), this.workerId, deps.logger);
  }

  get paused(): boolean {
    return this.pauseSwitch?.isPaused ?? false;
  }

  get inFlight(): number {
    return this.running.size;
  }

  async start(): Promise<void> {
    const { broker, jobType, logger } = this.deps;
    await this.claims.ensureIndexes();
    await broker.onConnect(async (conn) => {
      const ch = await conn.createChannel();
      await declareExchanges(ch);
      await declareJobType(ch, jobType);
      await ch.close();
    });
    // Cancel requests reach the process running the task through its own exclusive queue.
    this.cancelConsumer = new QueueConsumer(
      broker,
      {
        queue: '',
        prefetch: 50,
        exclusive: true,
        setup: async (ch) => {
          const q = await ch.assertQueue('', { exclusive: true, autoDelete: true, durable: false });
          await ch.bindQueue(q.queue, TASK_EVENTS_EXCHANGE, eventKindBinding(jobType.type, 'cancel-requested'));
          this.cancels.began();
          ch.once('close', () => this.cancels.lost());
          return q.queue;
        },
      },
      async (msg) => this.onCancelRequested(msg),
      logger,
    );
    await this.cancelConsumer.start();
    // One consumer per priority queue, each with the worker's whole concurrency and one message ahead as
    // prefetch; the gate decides which message in hand starts when a slot frees (high first).
    const prefetch = this.slots + MESSAGES_AHEAD;
    for (const priority of TASK_PRIORITIES) {
      const consumer = new QueueConsumer(broker, { queue: priorityQueueName(jobType.type, priority), prefetch }, (msg) => this.onTask(msg, priority), logger);
      this.consumers.push(consumer);
    }
    if (this.deps.JobTypePause) {
      this.pauseSwitch = new PauseSwitch({
        broker,
        JobTypePause: this.deps.JobTypePause,
        type: jobType.type,
        logger,
        pollMs: this.deps.pausePollMs,
        onChange: (paused) => (paused ? this.pause() : this.resume()),
      });
      await this.pauseSwitch.start();
    }
    for (const c of this.consumers) await c.start();
  }

  /** Takes no new tasks; those running finish; those in hand but not started go back to the queue. */
  private async pause(): Promise<void> {
    this.deps.metrics.paused.set({ type: this.deps.jobType.type }, 1);
    await Promise.all(this.consumers.map((c) => c.pause()));
    this.gate.turnAwayWaiting();
  }

  private async resume(): Promise<void> {
    this.deps.metrics.paused.set({ type: this.deps.jobType.type }, 0);
    await Promise.all(this.consumers.map((c) => c.resume()));
  }

  /** Stops taking tasks, lets those in hand finish for `graceMs`, then aborts them (they return to the queue). */
  async stop(graceMs = 20_000): Promise<void> {
    await this.pauseSwitch?.stop();
    const stopping = Promise.all(this.consumers.map((c) => c.stop(graceMs + 2_000)));
    this.gate.turnAwayWaiting();
    const timer = setTimeout(() => {
      for (const r of this.running.values()) r.abort('shutdown');
    }, graceMs);
    await stopping;
    clearTimeout(timer);
    await this.cancelConsumer?.stop(0);
  }

  private async onCancelRequested(msg: ConsumeMessage): Promise<Settlement> {
    const event = parseJson<TaskEvent>(msg.content);
    this.cancels.remember(event.taskId);
    this.running.get(event.taskId)?.abort('cancelled');
    return 'ack';
  }

  /** A task may run unless its record says it already finished, was cancelled, or is running elsewhere. */
  private async shouldRun(task: TaskMessage, redelivered: boolean, log: Logger): Promise<boolean> {
    const current = await readTask<Pick<TaskRecord, '_id' | 'status' | 'attempt' | 'cancelRequestedAt'>>(this.deps.models.Task, task.id, { status: 1, attempt: 1, cancelRequestedAt: 1 }, 10_000);
    if (!current) {
      log.warn('task not found; dropping its message');
      return false;
    }
    if (isTerminal(current.status) || current.cancelRequestedAt) return false;
    if (current.attempt > task.attempt) return false;
    // Its attempt was already written off (heartbeat lost): the next attempt's message is on its way.
    if (current.status === 'retrying' && current.attempt >= task.attempt) return false;
    if (current.status === 'running' && current.attempt === task.attempt && !redelivered) return false;
    return true;
  }

  private async onTask(msg: ConsumeMessage, priority: TaskPriority): Promise<Settlement> {
    if (!(await this.gate.acquire(priority))) return 'requeue';
    let held = true;
    // The slot is the job's work: freed once a success is sent (the next job starts while its confirm and ack
    // are on their way), else when the message is settled (a failure's retry or dead letter, a skipped task).
    const release = (): void => {
      if (!held) return;
      held = false;
      this.gate.release();
    };
    try {
      // In the next check phase: after the broker connection's write of this turn (amqplib's round, also a
      // setImmediate), which the next job's first slice of CPU would otherwise hold back.
      return await this.take(msg, () => void setImmediate(release));
    } finally {
      release();
    }
  }

  private async take(msg: ConsumeMessage, workDone: () => void): Promise<Settlement> {
    const body = parseJson<TaskMessage>(msg.content);
    const headerAttempt = Number(msg.properties.headers?.[HEADER.attempt]);
    const task: TaskMessage = { ...body, attempt: Number.isFinite(headerAttempt) && headerAttempt > 0 ? headerAttempt : body.attempt };
    const log = taskLogger(this.deps.logger, task.id, task.type);
    if (this.cancels.wasCancelled(task.id)) return 'ack';
    const redelivered = msg.fields.redelivered;
    if (mayBePublishedTwice(task, msg) && !(await this.claims.claim(task.id, task.attempt)) && !redelivered) {
      log.info({ attempt: task.attempt }, 'attempt already claimed by another message of it; this duplicate is dropped');
      return 'ack';
    }
    // A fresh first attempt needs no read of the task: any cancel request for it has reached this worker. A
    // republished message (an outbox relay) is read: its first copy may have run already.
    const republished = msg.properties.headers?.[HEADER.republished] === true;
    const covered = this.cancels.covers(task, redelivered) && !republished;
    if (!covered && !(await this.shouldRun(task, redelivered, log))) return 'ack';
    // Only a first delivery of the message as published at submit tells the task as inserted: another copy may
    // follow a run the status service already folded, which an end presumed from the insert would overwrite.
    await this.run(redelivered || republished ? withoutInserted(task) : task, log, workDone);
    return 'ack';
  }

  private async run(task: TaskMessage, log: Logger, workDone: () => void): Promise<void> {
    const { jobType, publisher, metrics } = this.deps;
    const events = new RunEvents(publisher, task, randomUUID(), this.deps.flushMs, this.deps.startDelayMs);
    const controller = new AbortController();
    let abortReason: AbortReason | undefined;
    let rejectAbort: (err: JobAborted) => void = () => undefined;
    const aborted = new Promise<never>((_, reject) => (rejectAbort = reject));
    aborted.catch(() => undefined);
    const abort = (reason: AbortReason): void => {
      if (abortReason) return;
      abortReason = reason;
      controller.abort(new JobAborted(reason));
      rejectAbort(new JobAborted(reason));
    };
    this.running.set(task.id, { controller, abort });
    const timeout = setTimeout(() => abort('timeout'), jobType.limits.timeoutMs);
    const heartbeatMs = this.deps.heartbeatMs ?? Math.min(10_000, Math.floor(jobType.limits.heartbeatWindowMs / 3));
    const heartbeat = setInterval(() => void events.heartbeat().catch(() => undefined), heartbeatMs);
    const started = Date.now();
    const artifacts: ArtifactRef[] = [];
    try {
      events.started(this.workerId);
      log.info({ attempt: task.attempt }, 'job started');
      const ctx = this.context(task, controller.signal, events, artifacts, log);
      const outcome = await Promise.race([this.def.handler(ctx), aborted]);
      if (abortReason) throw new JobAborted(abortReason);
      // The outcome is sent before the slot frees (the next job's first slice of CPU would otherwise run before
      // it and delay its send and its time); its confirm and the ack are awaited while the next job runs.
      const announced = this.announce(events, artifacts, outcome);
      workDone();
      await announced;
      metrics.jobs.inc({ type: task.type, outcome: 'succeeded' });
      metrics.duration.observe({ type: task.type, outcome: 'succeeded' }, (Date.now() - started) / 1000);
      log.info({ durationMs: Date.now() - started }, outcome?.continueAs ? `job continued as workflow ${outcome.continueAs.workflow}` : 'job succeeded');
    } catch (err) {
      await this.settleFailure(task, err, events, log);
      metrics.duration.observe({ type: task.type, outcome: 'failed' }, (Date.now() - started) / 1000);
    } finally {
      events.close();
      clearTimeout(timeout);
      clearInterval(heartbeat);
      this.running.delete(task.id);
    }
  }

  /**
   * The run's outcome: a success, or the task continuing as a workflow. The workflow's tasks are made by the
   * status service when it folds this event (deterministic ids: a repeat makes none twice), so nothing here
   * can leave children behind a failed attempt.
   */
  private async announce(events: RunEvents, artifacts: ArtifactRef[], outcome: JobOutcome | void): Promise<void> {
    const next = outcome?.continueAs;
    if (!next) return events.succeeded(artifacts, outcome?.result);
    if (!declaredWorkflow(next.workflow)) throw new PermanentJobError('unknown-workflow', `the handler continued as workflow "${next.workflow}", which is not declared`);
    await events.continuedAsWorkflow(next, outcome?.result);
  }

  /** Reports a failed run; true when another attempt will follow. */
  private async settleFailure(task: TaskMessage, err: unknown, events: RunEvents, log: Logger): Promise<boolean> {
    const { jobType, publisher, metrics } = this.deps;
    if (err instanceof JobAborted && err.reason === 'cancelled') {
      await events.cancelled();
      metrics.jobs.inc({ type: task.type, outcome: 'cancelled' });
      log.info('job cancelled');
      return false;
    }
    if (err instanceof JobAborted && err.reason === 'shutdown') {
      // Not the job's fault: the message goes back to the queue when the channel closes.
      throw err;
    }
    const { error, retriable } = classifyFailure(err, jobType.limits.timeoutMs);
    if (retriable && task.attempt < task.maxAttempts) {
      const delay = backoffFor(jobType.limits, task.attempt);
      await publishRetry(publisher, { ...task, attempt: task.attempt + 1 }, delay);
      await events.failed(error, false, new Date(Date.now() + delay).toISOString());
      metrics.retries.inc({ type: task.type });
      metrics.jobs.inc({ type: task.type, outcome: 'retrying' });
      log.warn({ error, attempt: task.attempt, retryInMs: delay }, 'job failed; retrying');
      return true;
    }
    await publishDeadLetter(publisher, task, error);
    await events.failed(error, true);
    metrics.deadLetters.inc({ type: task.type });
    metrics.jobs.inc({ type: task.type, outcome: 'failed' });
    log.error({ error, attempt: task.attempt }, 'job failed for good; dead-lettered');
    return false;
  }

  private context(
    task: TaskMessage,
    signal: AbortSignal,
    events: RunEvents,
    artifacts: ArtifactRef[],
    log: Logger,
  ): JobContext<P> {
    const { store, db } = this.deps;
    // The record's own fields (`inserted`: its slot, its callback URL, which may hold the receiver's token) are not the job's.
    // (A rest copy, not a copy and a delete: a deleted field leaves the object in V8's slow dictionary mode.)
    const { inserted: _record, ...jobTask } = task;
    return {
      task: jobTask as JobContext<P>['task'],
      signal,
      progress: (percent) => events.progress(percent),
      log: (message, level = 'info') => {
        events.log({ at: new Date().toISOString(), level, message });
        log[level]({ jobLog: true }, message);
      },
      artifacts: {
        async write(name, body, contentType) {
          const key = artifactKey(task.type, task.id, name);
          const size = await store.put(key, body, contentType, signal);
          const ref = { name, key, size, contentType };
          artifacts.push(ref);
          return ref;
        },
      },
      store,
      db,
      logger: log,
      stageResults: () => {
        const ref = task.stage;
        if (!ref?.resultsOf) throw new Error(`task ${task.id} is not a workflow's fan-in stage: it has no stage results to read`);
        return readStageOutputs(workflowModels(db), ref.workflowId, ref.resultsOf);
      },
    };
  }
}
