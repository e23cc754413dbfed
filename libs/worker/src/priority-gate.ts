import { TASK_PRIORITIES, type TaskPriority } from '@taskyard/contracts';

interface Waiter {
  grant(admitted: boolean): void;
}

/**
 * A worker's slots (its concurrency), handed out high first, then normal, then low. Each priority's queue
 * is consumed with a prefetch of its own, so messages of every priority are in hand; the gate decides
 * which starts when a slot frees. Quorum queues have no message priority: this is where it lives.
 */
export class PriorityGate {
  private running = 0;
  private readonly waiting = new Map<TaskPriority, Waiter[]>(TASK_PRIORITIES.map((p) => [p, []]));

  constructor(private readonly slots: number) {}

  get inUse(): number {
    return this.running;
  }

  /** Resolves true when a slot is this task's, false when the gate was closed while it waited (requeue it). */
  acquire(priority: TaskPriority): Promise<boolean> {
    if (this.running < this.slots && this.nobodyAhead(priority)) {
      this.running += 1;
      return Promise.resolve(true);
    }
    return new Promise((resolve) => this.waiting.get(priority)!.push({ grant: resolve }));
  }

  release(): void {
    this.running -= 1;
    const next = this.nextWaiter();
    if (next) {
      this.running += 1;
      next.grant(true);
    }
  }

  /** Sends every waiting task back (paused or stopping): their messages go back to the queue. */
  turnAwayWaiting(): number {
    let n = 0;
    for (const list of this.waiting.values()) {
      for (const w of list.splice(0)) {
        w.grant(false);
        n += 1;
      }
    }
    return n;
  }

  private nobodyAhead(priority: TaskPriority): boolean {
    for (const p of TASK_PRIORITIES) {
      if (p === priority) return true;
      if (this.waiting.get(p)!.length > 0) return false;
    }
    return true;
  }

  private nextWaiter(): Waiter | undefined {
    for (const p of TASK_PRIORITIES) {
      const w = this.waiting.get(p)!.shift();
      if (w) return w;
    }
    return undefined;
  }
}
