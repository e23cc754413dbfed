import type { ConsumeMessage } from 'amqplib';
import type { Settlement } from '@taskyard/messaging';

interface Pending {
  msg: ConsumeMessage;
  settle: (s: Settlement) => void;
}

/**
 * Waits before a failed batch is folded again in place (then it goes back to the queue). A requeue puts it
 * BEHIND what came meanwhile (a quorum queue's nack; measured on RabbitMQ 3.10), so the events of a task would
 * be folded out of order (a heartbeat check before the run's last events, a child's end before its parent's
 * continuation); a transient failure (a database deadline under load) is retried here, in order, first.
 */
export const DEFAULT_RETRY_DELAYS_MS: readonly number[] = [500, 2000];

export interface BatcherOptions {
  /** How long messages are gathered before one batch is folded. */
  windowMs: number;
  maxBatch: number;
  retryDelaysMs?: readonly number[];
  /** Told of each failed try, and whether the batch is then requeued. */
  onFailure?: (err: unknown, size: number, requeued: boolean) => void;
}

const pause = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/**
 * Gathers the messages of one partition that arrive within `windowMs` (or up to `maxBatch`) and hands
 * them to `flush` in arrival order, one batch at a time: so events of one task are folded one after
 * another, and those arriving together (a fast task's `started` and `succeeded`) cost one write.
 */
export class EventBatcher {
  private pending: Pending[] = [];
  private timer?: NodeJS.Timeout;
  private running: Promise<void> = Promise.resolve();
  private readonly retryDelaysMs: readonly number[];

  constructor(
    private readonly flush: (msgs: ConsumeMessage[]) => Promise<void>,
    private readonly opts: BatcherOptions,
  ) {
    this.retryDelaysMs = opts.retryDelaysMs ?? DEFAULT_RETRY_DELAYS_MS;
  }

  add(msg: ConsumeMessage): Promise<Settlement> {
    return new Promise((settle) => {
      this.pending.push({ msg, settle });
      if (this.pending.length >= this.opts.maxBatch) this.kick();
      else this.timer ??= setTimeout(() => this.kick(), this.opts.windowMs);
    });
  }

  private kick(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    const batch = this.pending;
    this.pending = [];
    if (batch.length === 0) return;
    this.running = this.running.then(async () => {
      const settlement = await this.fold(batch.map((p) => p.msg));
      for (const p of batch) p.settle(settlement);
    });
  }

  /**
   * Folds a batch, again after each retry delay while it fails (every fold is safe to repeat); requeued at last.
   * A repeat carries the messages as redelivered, as the broker's redelivery would: a task written by the
   * failed try then has its finish effects done again (a parent told, a slot freed) rather than skipped.
   */
  private async fold(msgs: ConsumeMessage[]): Promise<Settlement> {
    for (let attempt = 0; ; attempt++) {
      try {
        await this.flush(attempt === 0 ? msgs : msgs.map((m) => ({ ...m, fields: { ...m.fields, redelivered: true } })));
        return 'ack';
      } catch (err) {
        const last = attempt >= this.retryDelaysMs.length;
        this.opts.onFailure?.(err, msgs.length, last);
        if (last) return 'requeue';
        await pause(this.retryDelaysMs[attempt]);
      }
    }
  }
}
