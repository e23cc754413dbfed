import type { ConsumeMessage } from 'amqplib';
import type { Settlement } from '@taskyard/messaging';

interface Pending {
  msg: ConsumeMessage;
  settle: (s: Settlement) => void;
}

/**
 * Gathers the messages of one partition that arrive within `windowMs` (or up to `maxBatch`) and hands
 * them to `flush` in arrival order, one batch at a time: so events of one task are folded one after
 * another, and those arriving together (a fast task's `started` and `succeeded`) cost one write.
 */
export class EventBatcher {
  private pending: Pending[] = [];
  private timer?: NodeJS.Timeout;
  private running: Promise<void> = Promise.resolve();

  constructor(
    private readonly flush: (msgs: ConsumeMessage[]) => Promise<void>,
    private readonly windowMs: number,
    private readonly maxBatch: number,
    /** Told when a batch failed and goes back to the queue (on a quorum queue: behind what came meanwhile). */
    private readonly onFailure: (err: unknown, size: number) => void = () => undefined,
  ) {}

  add(msg: ConsumeMessage): Promise<Settlement> {
    return new Promise((settle) => {
      this.pending.push({ msg, settle });
      if (this.pending.length >= this.maxBatch) this.kick();
      else this.timer ??= setTimeout(() => this.kick(), this.windowMs);
    });
  }

  private kick(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    const batch = this.pending;
    this.pending = [];
    if (batch.length === 0) return;
    this.running = this.running.then(async () => {
      try {
        await this.flush(batch.map((p) => p.msg));
        for (const p of batch) p.settle('ack');
      } catch (err) {
        this.onFailure(err, batch.length);
        for (const p of batch) p.settle('requeue');
      }
    });
  }
}
