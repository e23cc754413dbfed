import type { TaskMessage } from '@taskyard/contracts';

/** Cancel requests remembered, at most this many (then forgotten at once: a forgotten one only costs a run). */
export const CANCEL_MEMORY = 100_000;
/** Tasks created this soon after the watch began are read anyway: the clocks of two hosts may differ by this much. */
export const CLOCK_MARGIN_MS = 5_000;

/**
 * What a worker knows of its type's cancel requests without reading the task: every request published
 * while its cancel queue is bound reaches it. A first attempt of a task created after the watch began can
 * only have been cancelled by a request the worker has seen, so the worker need not read the task before
 * running it (the hot path's one read); anything else (a redelivery, a retry, a scheduled task, a task
 * older than the watch) is read as before. A request that arrives once the run has begun aborts it, and
 * the status service keeps the task's one terminal state whatever a run reports.
 */
export class CancelWatch {
  private since?: number;
  private readonly requested = new Set<string>();

  constructor(
    private readonly capacity = CANCEL_MEMORY,
    private readonly clockMarginMs = CLOCK_MARGIN_MS,
  ) {}

  /** The cancel queue is bound (again) from now on. */
  began(now = Date.now()): void {
    this.since = now;
  }

  /** The cancel queue is gone (its channel closed): requests may be missed until it is bound again. */
  lost(): void {
    this.since = undefined;
  }

  remember(taskId: string): void {
    if (this.requested.size >= this.capacity) this.requested.clear();
    this.requested.add(taskId);
  }

  wasCancelled(taskId: string): boolean {
    return this.requested.has(taskId);
  }

  /** True when every cancel request this task can have had has reached this worker. */
  covers(task: Pick<TaskMessage, 'attempt' | 'createdAt' | 'runAt'>, redelivered: boolean): boolean {
    if (this.since === undefined || redelivered || task.attempt !== 1 || task.runAt) return false;
    const created = Date.parse(task.createdAt);
    return Number.isFinite(created) && created >= this.since + this.clockMarginMs;
  }
}
