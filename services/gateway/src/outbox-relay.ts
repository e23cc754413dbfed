import type { Logger } from '@taskyard/logging';
import type { BrokerConnection, ConfirmPublisher } from '@taskyard/messaging';
import { dueOutboxEntries, relayOutboxEntry, type Outbox, type OutboxRecord, type TaskModels } from '@taskyard/tasks';
import type { GatewayMetrics } from './metrics';

const BATCH = 100;

/**
 * The longest an idle relay waits (doubling from its interval: 1, 2, 4, 8, 15 s). An entry due now that no
 * event of this process announces (a killed process's, after its grace) is relayed within it; the status
 * service's sweep (15 s rounds, 10 s past an entry's due time) stays the bound when no gateway runs.
 */
export const OUTBOX_IDLE_MAX_MS = 15_000;

/** How often a relay looks while it finds work or fails, and the longest it waits once it finds none. */
export interface RelayPace {
  intervalMs: number;
  idleMaxMs: number;
}

/**
 * Publishes what was stored but not confirmed (relayOutboxEntry): the entries past their `relayAfter` (a task
 * the broker did not confirm has an entry due at once; the entry a killed submit left is due after the grace
 * period). It looks every `intervalMs` while it finds work; each round that finds none doubles the wait, up
 * to `idleMaxMs`, so an idle gateway reads the outbox a few times a minute, not every second (bench/history
 * README, session 7). It is woken at once when the broker (re)connects and when an outbox of this process
 * keeps an entry due now (wakeOn). An entry no event announces here (one a killed process left, one a
 * status service kept) waits at most `idleMaxMs` past its `relayAfter` for this relay, and the status
 * service's sweep relays it too (its interval plus its grace).
 */
export class OutboxRelay {
  private timer?: NodeJS.Timeout;
  private round?: Promise<void>;
  private waitMs: number;
  private stopped = false;
  /** Woken during a round, which may have read the outbox before the entry that woke it: one more round. */
  private again = false;
  private readonly onConnected = (): void => this.wake();

  constructor(
    private readonly models: TaskModels,
    private readonly broker: BrokerConnection,
    private readonly publisher: ConfirmPublisher,
    private readonly logger: Logger,
    private readonly metrics: GatewayMetrics,
    private readonly pace: RelayPace,
    private readonly dbTimeoutMs: number,
  ) {
    this.waitMs = pace.intervalMs;
  }

  /** Starts with a round at once (what a previous process left is due now). */
  start(): void {
    this.broker.on('connected', this.onConnected);
    this.wake();
  }

  /** An entry of this process is due now: the relay stops waiting. */
  wakeOn(outbox: Outbox): void {
    outbox.onDue(() => this.wake());
  }

  /** How long the relay waits after its current round (its back-off). */
  get currentWaitMs(): number {
    return this.waitMs;
  }

  /** A round now, and the short interval again: there is (or may be) work. */
  wake(): void {
    this.waitMs = this.pace.intervalMs;
    if (this.round) this.again = true;
    else void this.tick();
  }

  /** One relay round at a time; a tick during a round is skipped (the round drains everything anyway). */
  tick(): Promise<void> {
    if (this.round) return this.round;
    if (this.stopped) return Promise.resolve(); // a wake after stop (a submit's keepDue during shutdown) starts nothing
    if (!this.publisher.ready) {
      this.schedule(); // the broker's 'connected' wakes it; this keeps looking meanwhile
      return Promise.resolve();
    }
    const round = this.drain()
      .then((relayed) => {
        this.waitMs = relayed > 0 ? this.pace.intervalMs : Math.min(this.pace.idleMaxMs, this.waitMs * 2);
      })
      .catch((err: Error) => {
        this.waitMs = this.pace.intervalMs;
        this.logger.warn({ err: err.message }, 'outbox relay round failed; retrying next tick');
      })
      .finally(() => {
        this.round = undefined;
        if (this.again) {
          this.again = false;
          this.wake();
        } else this.schedule();
      });
    this.round = round;
    return round;
  }

  private schedule(): void {
    clearTimeout(this.timer);
    if (this.stopped) return;
    this.timer = setTimeout(() => void this.tick(), this.waitMs);
    this.timer.unref();
  }

  /** Relays every due entry; how many it relayed. */
  private async drain(): Promise<number> {
    let relayed = 0;
    for (;;) {
      const entries = await dueOutboxEntries(this.models.Outbox, new Date(), BATCH, this.dbTimeoutMs);
      await Promise.all(entries.map((e) => this.relay(e)));
      relayed += entries.length;
      if (entries.length < BATCH) return relayed;
    }
  }

  private async relay(entry: OutboxRecord): Promise<void> {
    const published = await relayOutboxEntry(this.models, this.publisher, entry, this.dbTimeoutMs);
    this.metrics.relayed.inc();
    this.logger.info({ entry: entry._id, published }, 'outbox entry relayed');
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    this.broker.off('connected', this.onConnected);
    await this.round;
  }
}
