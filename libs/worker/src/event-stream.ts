import type { LogLine, TaskEventInput, TaskMessage, ArtifactRef, TaskError, DistributiveOmit } from '@taskyard/contracts';
import { publishEvent, type ConfirmPublisher } from '@taskyard/messaging';

type RunEvent = DistributiveOmit<TaskEventInput, 'taskId' | 'type' | 'runId' | 'seq' | 'attempt'>;

/**
 * The status events of one run of a task. Progress and log lines are buffered and flushed at most once
 * per `flushMs` (one event, not one per call), so a chatty job costs few broker messages and fewer writes.
 */
export class RunEvents {
  private seq = 0;
  private pendingProgress?: number;
  private pendingLogs: LogLine[] = [];
  private timer?: NodeJS.Timeout;
  private flushing: Promise<void> = Promise.resolve();

  constructor(
    private readonly publisher: ConfirmPublisher,
    private readonly task: TaskMessage,
    readonly runId: string,
    private readonly flushMs = 1000,
  ) {}

  private send(e: RunEvent): Promise<void> {
    this.seq += 1;
    return publishEvent(this.publisher, {
      ...e,
      taskId: this.task.id,
      type: this.task.type,
      attempt: this.task.attempt,
      runId: this.runId,
      seq: this.seq,
    } as TaskEventInput);
  }

  started(workerId: string): Promise<void> {
    return this.send({ kind: 'started', workerId } as RunEvent);
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
    return this.send({ kind: 'heartbeat' } as RunEvent);
  }

  private schedule(): void {
    this.timer ??= setTimeout(() => {
      this.timer = undefined;
      void this.flush().catch(() => undefined);
    }, this.flushMs);
  }

  /** Sends what is buffered as one progress event. Serialised so events keep their order. */
  flush(): Promise<void> {
    this.flushing = this.flushing.then(() => {
      if (this.pendingProgress === undefined && this.pendingLogs.length === 0) return;
      const progress = this.pendingProgress;
      const logs = this.pendingLogs;
      this.pendingProgress = undefined;
      this.pendingLogs = [];
      return this.send({ kind: 'progress', ...(progress !== undefined ? { progress } : {}), ...(logs.length ? { logs } : {}) } as RunEvent);
    });
    return this.flushing;
  }

  /** Drops the timer and hands back unsent log lines, to ride on the terminal event. */
  private drain(): LogLine[] {
    clearTimeout(this.timer);
    this.timer = undefined;
    const logs = this.pendingLogs;
    this.pendingLogs = [];
    this.pendingProgress = undefined;
    return logs;
  }

  async succeeded(artifacts: ArtifactRef[], result?: Record<string, unknown>): Promise<void> {
    await this.flushing;
    await this.send({ kind: 'succeeded', artifacts, logs: this.drain(), ...(result ? { result } : {}) } as RunEvent);
  }

  async failed(error: TaskError, final: boolean, retryAt?: string): Promise<void> {
    await this.flushing;
    await this.send({ kind: 'failed', error, final, logs: this.drain(), ...(retryAt ? { retryAt } : {}) } as RunEvent);
  }

  async cancelled(): Promise<void> {
    await this.flushing;
    await this.send({ kind: 'cancelled', logs: this.drain() } as RunEvent);
  }

  async fannedOut(childIds: string[]): Promise<void> {
    await this.flush();
    await this.send({ kind: 'fanned-out', childIds, logs: this.drain() } as RunEvent);
  }
}
