import type { ContinueAs } from './job-context';
import type { LogLine, TaskEventInput, TaskMessage, ArtifactRef, TaskError, DistributiveOmit, InsertedTask } from '@taskyard/contracts';
import { publishEvent, type ConfirmPublisher } from '@taskyard/messaging';

type RunEvent = DistributiveOmit<TaskEventInput, 'taskId' | 'type' | 'runId' | 'seq' | 'attempt'>;

/**
 * The task as inserted, when this run is a fresh first attempt of a task published as stored (not a
 * scheduled task, not a workflow's stage, whose records change before they run): its first event carries
 * it, so the status service folds that event without reading the task.
 */
export function insertedTask(task: TaskMessage): InsertedTask | undefined {
  if (task.attempt !== 1 || !task.inserted || task.runAt || task.stage) return undefined;
  const { slotId, callbackUrl } = task.inserted;
  const uploadKey = task.params.uploadKey;
  return {
    owner: task.owner,
    title: task.title,
    ...(task.tag ? { tag: task.tag } : {}),
    createdAt: task.createdAt,
    maxAttempts: task.maxAttempts,
    ...(task.parentId ? { parentId: task.parentId } : {}),
    ...(slotId ? { slotId } : {}),
    ...(callbackUrl ? { callbackUrl } : {}),
    ...(typeof uploadKey === 'string' ? { uploadKey } : {}),
  };
}

/**
 * How long a run's `started` waits for the job's outcome: a job done sooner sends its start inside the outcome
 * (one event, one fold, no read); a longer one sends it alone (an event, its fold with a read and a task write, a
 * heartbeat timer, and a check of the task at its end). A second, not 250 ms: a job that needs a fraction of a
 * second of CPU runs several times that long when the cores are busy, so at 250 ms every such job took the long
 * path exactly when CPU was short (bench/peers README, session 9: 200 ms CPU-bound jobs at load 12-23, lone starts
 * 0.73-1.0 per task at 250 ms against 0.03-0.68 at 1 s, the platform's own CPU per task -27%). `running` shows up
 * to this much later; START_DELAY_MS sets it per deployment.
 */
export const DEFAULT_START_DELAY_MS = 1000;

/**
 * The status events of one run of a task. Progress and log lines are buffered and flushed at most once
 * per `flushMs` (one event, not one per call), so a chatty job costs few broker messages and fewer writes.
 * `started` waits `startDelayMs` too: a job that finishes sooner sends its start inside its outcome, so
 * the status service gets one event and folds it into one write.
 */
export class RunEvents {
  private seq = 0;
  private pendingProgress?: number;
  private pendingLogs: LogLine[] = [];
  private timer?: NodeJS.Timeout;
  private startTimer?: NodeJS.Timeout;
  private workerId?: string;
  /** When the run really began (the `started` event may go out later). */
  private startedAt = '';
  private startSent = false;

  constructor(
    private readonly publisher: ConfirmPublisher,
    private readonly task: TaskMessage,
    readonly runId: string,
    private readonly flushMs = 1000,
    private readonly startDelayMs = DEFAULT_START_DELAY_MS,
  ) {}

  /**
   * Publishes at once, without waiting for the confirms of earlier events: the channel keeps them in
   * order, and a `started` right before its outcome reaches the status service in the same batch.
   */
  private enqueue(make: () => RunEvent | undefined): Promise<void> {
    const e = make();
    if (!e) return Promise.resolve();
    this.seq += 1;
    // The run's first event is its start (alone or inside its outcome): the one the task as inserted rides on.
    const inserted = this.seq === 1 ? insertedTask(this.task) : undefined;
    return publishEvent(this.publisher, {
      ...e,
      ...(inserted ? { inserted } : {}),
      taskId: this.task.id,
      type: this.task.type,
      attempt: this.task.attempt,
      runId: this.runId,
      seq: this.seq,
    } as TaskEventInput);
  }

  private ensureStarted(): void {
    if (this.startSent || !this.workerId) return;
    this.startSent = true;
    clearTimeout(this.startTimer);
    const { workerId, startedAt } = this;
    void this.enqueue(() => ({ kind: 'started', workerId, at: startedAt }) as RunEvent).catch(() => undefined);
  }

  /** Announces the run; sent after `startDelayMs`, or at once with whatever the job reports first. */
  started(workerId: string): void {
    this.workerId = workerId;
    this.startedAt = new Date().toISOString();
    this.startTimer = setTimeout(() => this.ensureStarted(), this.startDelayMs);
  }

  progress(percent: number): void {
    this.pendingProgress = percent;
    this.schedule();
  }

  log(line: LogLine): void {
    this.pendingLogs.push(line);
    this.schedule();
  }

  heartbeat(): Promise<void> {
    if (this.pendingProgress !== undefined || this.pendingLogs.length) return this.flush();
    this.ensureStarted();
    return this.enqueue(() => ({ kind: 'heartbeat' }) as RunEvent);
  }

  private schedule(): void {
    this.timer ??= setTimeout(() => {
      this.timer = undefined;
      void this.flush().catch(() => undefined);
    }, this.flushMs);
  }

  /** Sends what is buffered as one progress event. */
  flush(): Promise<void> {
    this.ensureStarted();
    return this.enqueue(() => {
      if (this.pendingProgress === undefined && this.pendingLogs.length === 0) return undefined;
      const progress = this.pendingProgress;
      const logs = this.pendingLogs;
      this.pendingProgress = undefined;
      this.pendingLogs = [];
      return { kind: 'progress', ...(progress !== undefined ? { progress } : {}), ...(logs.length ? { logs } : {}) } as RunEvent;
    });
  }

  /** Drops the timers and hands back unsent log lines, to ride on the terminal event. */
  private drain(): LogLine[] {
    clearTimeout(this.timer);
    this.timer = undefined;
    const logs = this.pendingLogs;
    this.pendingLogs = [];
    this.pendingProgress = undefined;
    return logs;
  }

  /**
   * The outcome; a run whose `started` has not gone out yet (a job faster than `startDelayMs`) sends its
   * start inside the outcome: one event for the broker and the status service instead of two.
   */
  private terminal(make: (logs: LogLine[]) => RunEvent): Promise<void> {
    const start = this.startSent || !this.workerId ? undefined : { workerId: this.workerId, at: this.startedAt };
    this.startSent = true;
    clearTimeout(this.startTimer);
    return this.enqueue(() => ({ ...make(this.drain()), ...(start ? { started: start } : {}) }) as RunEvent);
  }

  succeeded(artifacts: ArtifactRef[], result?: Record<string, unknown>): Promise<void> {
    return this.terminal((logs) => ({ kind: 'succeeded', artifacts, logs, ...(result ? { result } : {}) }) as RunEvent);
  }

  failed(error: TaskError, final: boolean, retryAt?: string): Promise<void> {
    return this.terminal((logs) => ({ kind: 'failed', error, final, logs, ...(retryAt ? { retryAt } : {}) }) as RunEvent);
  }

  cancelled(): Promise<void> {
    return this.terminal((logs) => ({ kind: 'cancelled', logs }) as RunEvent);
  }

  /** The run ends by continuing as a declared workflow; `result`: what the task says of itself (e.g. batches it skipped), kept when it ends. */
  async continuedAsWorkflow(next: ContinueAs, result?: Record<string, unknown>): Promise<void> {
    await this.flush();
    await this.terminal((logs) => ({ kind: 'continued-as-workflow', workflow: next.workflow, params: next.params, logs, ...(result ? { result } : {}) }) as RunEvent);
  }

  /** Stops the timers of a run that ends without a terminal event (a shutdown hands it back to the queue). */
  close(): void {
    clearTimeout(this.startTimer);
    this.drain();
  }
}
