/**
 * Counts the write paths under way (submit, cancel, replay) so shutdown can let them finish before it
 * closes the database and the broker: a submit cut in half would leave a slot without a task, or a task
 * neither published nor in the outbox. The publishes a submit starts after answering are counted too, so
 * shutdown waits for their confirms before closing the broker. A handler keeps running after its client hangs up, so counting
 * HTTP connections is not enough.
 */
export class InFlight {
  private count = 0;
  private idle?: () => void;

  async run<T>(work: () => Promise<T>): Promise<T> {
    this.count++;
    try {
      return await work();
    } finally {
      if (--this.count === 0) this.idle?.();
    }
  }

  get size(): number {
    return this.count;
  }

  /** Resolves when nothing is under way, or after `timeoutMs`; true when drained. */
  drain(timeoutMs: number): Promise<boolean> {
    if (this.count === 0) return Promise.resolve(true);
    return new Promise((resolve) => {
      const timer = setTimeout(() => resolve(false), timeoutMs);
      this.idle = () => {
        clearTimeout(timer);
        this.idle = undefined;
        resolve(true);
      };
    });
  }
}
