/**
 * The deadlines of the publishes waiting for their confirms, kept with one timer for all of them instead of a
 * timer per message (a Timeout made, inserted into its list and removed again for every publish of the
 * gateway, the worker and the status service). Publishes are waited for in the order they were made and all
 * wait the same time, so the oldest's deadline is the next one due: the timer is armed for it, and when it
 * fires every publish past its deadline fails and the timer is armed for the next.
 */
export class ConfirmDeadlines {
  private readonly waiting = new Map<number, { deadline: number; expire: () => void }>();
  private nextId = 0;
  private timer?: NodeJS.Timeout;

  constructor(private readonly timeoutMs: number) {}

  /** Calls `expire` once `timeoutMs` has passed, unless the returned id is settled first. */
  add(expire: () => void): number {
    const id = this.nextId++;
    this.waiting.set(id, { deadline: Date.now() + this.timeoutMs, expire });
    if (!this.timer) this.arm(this.timeoutMs);
    return id;
  }

  /** The publish was confirmed, refused or failed: its deadline no longer matters. */
  settle(id: number): void {
    this.waiting.delete(id);
    if (this.waiting.size === 0) this.disarm();
  }

  get size(): number {
    return this.waiting.size;
  }

  private arm(ms: number): void {
    this.timer = setTimeout(() => this.expireDue(), Math.max(0, ms));
  }

  private disarm(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  private expireDue(): void {
    this.timer = undefined;
    const now = Date.now();
    // A Map iterates in insertion order: the oldest first, so the first one not yet due ends the round.
    for (const [id, entry] of this.waiting) {
      if (entry.deadline > now) return this.arm(entry.deadline - now);
      this.waiting.delete(id);
      entry.expire();
    }
  }
}
