import type { ConfirmChannel, Options } from 'amqplib';
import type { Logger } from '@taskyard/logging';
import type { BrokerConnection } from './broker-connection';

export class BrokerUnavailable extends Error {
  constructor(message = 'the message broker is unavailable') {
    super(message);
    this.name = 'BrokerUnavailable';
  }
}

/**
 * Publishes persistent messages and resolves only once the broker confirms them. Fails fast while the
 * broker is away (callers keep the message in their outbox), and times out rather than waiting for ever.
 */
export class ConfirmPublisher {
  private channel?: ConfirmChannel;

  constructor(
    private readonly broker: BrokerConnection,
    private readonly logger: Logger,
    private readonly confirmTimeoutMs = 10_000,
  ) {}

  async start(): Promise<void> {
    await this.broker.onConnect(async (conn) => {
      const ch = await conn.createConfirmChannel();
      ch.on('error', (err: Error) => this.logger.warn({ err: err.message }, 'publish channel error'));
      ch.on('close', () => {
        if (this.channel === ch) this.channel = undefined;
      });
      this.channel = ch;
    });
  }

  get ready(): boolean {
    return this.channel !== undefined;
  }

  publish(exchange: string, routingKey: string, body: unknown, options: Options.Publish = {}): Promise<void> {
    const ch = this.channel;
    if (!ch) return Promise.reject(new BrokerUnavailable());
    const content = Buffer.from(JSON.stringify(body));
    return new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new BrokerUnavailable('the broker did not confirm in time')), this.confirmTimeoutMs);
      try {
        ch.publish(exchange, routingKey, content, { persistent: true, contentType: 'application/json', ...options }, (err) => {
          clearTimeout(timer);
          if (err) reject(new BrokerUnavailable(`the broker refused the message: ${String(err)}`));
          else resolve();
        });
      } catch (err) {
        clearTimeout(timer);
        reject(new BrokerUnavailable((err as Error).message));
      }
    });
  }

  async close(): Promise<void> {
    const ch = this.channel;
    this.channel = undefined;
    await ch?.close().catch(() => undefined);
  }
}
