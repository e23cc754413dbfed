import type { Logger } from '@taskyard/logging';
import type { BrokerConnection, ConfirmPublisher } from '@taskyard/messaging';
import { dueOutboxEntries, relayOutboxEntry, type OutboxRecord, type TaskModels } from '@taskyard/tasks';
import type { GatewayMetrics } from './metrics';

const BATCH = 100;

/**
 * Publishes what was stored but not confirmed (relayOutboxEntry): every `intervalMs` while the broker is
 * connected, and at once when it reconnects, the entries past their `relayAfter` (a task the broker did not
 * confirm has an entry due at once; the entry a killed submit left is due after the grace period).
 */
export class OutboxRelay {
  private timer?: NodeJS.Timeout;
  private round?: Promise<void>;
  private readonly onConnected = (): void => void this.tick();

  constructor(
    private readonly models: TaskModels,
    private readonly broker: BrokerConnection,
    private readonly publisher: ConfirmPublisher,
    private readonly logger: Logger,
    private readonly metrics: GatewayMetrics,
    private readonly intervalMs: number,
    private readonly dbTimeoutMs: number,
  ) {}

  start(): void {
    this.broker.on('connected', this.onConnected);
    this.timer = setInterval(() => void this.tick(), this.intervalMs);
    this.timer.unref();
  }

  /** One relay round at a time; a tick during a round is skipped (the round drains everything anyway). */
  tick(): Promise<void> {
    if (this.round || !this.publisher.ready) return this.round ?? Promise.resolve();
    this.round = this.drain()
      .catch((err: Error) => this.logger.warn({ err: err.message }, 'outbox relay round failed; retrying next tick'))
      .finally(() => (this.round = undefined));
    return this.round;
  }

  private async drain(): Promise<void> {
    for (;;) {
      const entries = await dueOutboxEntries(this.models.Outbox, new Date(), BATCH, this.dbTimeoutMs);
      if (entries.length === 0) return;
      await Promise.all(entries.map((e) => this.relay(e)));
      if (entries.length < BATCH) return;
    }
  }

  private async relay(entry: OutboxRecord): Promise<void> {
    const published = await relayOutboxEntry(this.models, this.publisher, entry, this.dbTimeoutMs);
    this.metrics.relayed.inc();
    this.logger.info({ entry: entry._id, published }, 'outbox entry relayed');
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.broker.off('connected', this.onConnected);
    await this.round;
  }
}
