import type { ConfirmChannel, Options } from 'amqplib';
import type { Logger } from '@taskyard/logging';
import type { BrokerConnection } from './broker-connection';
import { ConfirmDeadlines } from './confirm-deadlines';

export class BrokerUnavailable extends Error {
  constructor(message = 'the message broker is unavailable') {
    super(message);
    this.name = 'BrokerUnavailable';
  }
}

export interface PublisherOptions {
  /** How long one publish waits for the broker's confirm (default 10 s). */
  confirmTimeoutMs?: number;
  /**
   * How long an unconfirmed message is republished for (default 0: never). A message whose channel was
   * lost before its confirm, that the broker nacked (a quorum queue between leaders), or that found no
   * channel, is published again on the next channel, until this long after the first try. Consumers
   * dedupe by id (a task's id, an event's run and sequence), so a message confirmed and then republished
   * is harmless. 0 suits a caller with an outbox of its own (the gateway): it fails fast instead.
   */
  republishWithinMs?: number;
}

export const DEFAULT_CONFIRM_TIMEOUT_MS = 10_000;
/** What the services that consume and publish (workers, status, scheduler) give a broker failover. */
export const SERVICE_REPUBLISH_WITHIN_MS = 30_000;
const NACK_PAUSE_MS = 250;

/**
 * Publishes persistent messages and resolves only once the broker confirms them. Without
 * `republishWithinMs` it fails fast while the broker is away (callers keep the message in their outbox);
 * with it, it rides out a reconnect to another node. Never waits for ever.
 */
export class ConfirmPublisher {
  private channel?: ConfirmChannel;
  /** Every unconfirmed publish's deadline, on one timer. */
  private readonly deadlines: ConfirmDeadlines;
  private readonly republishWithinMs: number;
  /** Publishes waiting for the next channel, in the order they failed (so a run's events keep theirs). */
  private waiting: (() => void)[] = [];
  private closed = false;

  constructor(
    private readonly broker: BrokerConnection,
    private readonly logger: Logger,
    opts: PublisherOptions = {},
  ) {
    this.deadlines = new ConfirmDeadlines(opts.confirmTimeoutMs ?? DEFAULT_CONFIRM_TIMEOUT_MS);
    this.republishWithinMs = opts.republishWithinMs ?? 0;
  }

  async start(): Promise<void> {
    await this.broker.onConnect(async (conn) => {
      const ch = await conn.createConfirmChannel();
      ch.on('error', (err: Error) => this.logger.warn({ err: err.message }, 'publish channel error'));
      ch.on('close', () => {
        if (this.channel === ch) this.channel = undefined;
      });
      this.channel = ch;
      const waiting = this.waiting;
      this.waiting = [];
      for (const wake of waiting) wake();
    });
  }

  get ready(): boolean {
    return this.channel !== undefined;
  }

  async publish(exchange: string, routingKey: string, body: unknown, options: Options.Publish = {}): Promise<void> {
    const content = Buffer.from(JSON.stringify(body));
    const props: Options.Publish = { persistent: true, contentType: 'application/json', ...options };
    const deadline = Date.now() + this.republishWithinMs;
    for (let tries = 1; ; tries++) {
      try {
        await this.publishOnce(exchange, routingKey, content, props);
        if (tries > 1) this.logger.info({ exchange, routingKey, messageId: props.messageId, tries }, 'message republished after a broker failover');
        return;
      } catch (err) {
        if (this.closed || Date.now() >= deadline) throw err;
        await this.nextChannel(deadline);
      }
    }
  }

  private publishOnce(exchange: string, routingKey: string, content: Buffer, props: Options.Publish): Promise<void> {
    const ch = this.channel;
    if (!ch) return Promise.reject(new BrokerUnavailable());
    return new Promise<void>((resolve, reject) => {
      const deadline = this.deadlines.add(() => reject(new BrokerUnavailable('the broker did not confirm in time')));
      try {
        ch.publish(exchange, routingKey, content, props, (err) => {
          this.deadlines.settle(deadline);
          if (err) reject(new BrokerUnavailable(`the broker refused the message: ${String(err)}`));
          else resolve();
        });
      } catch (err) {
        this.deadlines.settle(deadline);
        reject(new BrokerUnavailable((err as Error).message));
      }
    });
  }

  /**
   * Resolves when a new channel is open, or at `deadline`. After a nack on a channel still open (a quorum
   * queue electing its leader) it waits a moment rather than spin.
   */
  private nextChannel(deadline: number): Promise<void> {
    const wait = Math.max(0, deadline - Date.now());
    if (this.channel) return new Promise((r) => setTimeout(r, Math.min(NACK_PAUSE_MS, wait)));
    return new Promise<void>((resolve) => {
      const timer = setTimeout(done, wait);
      const wake = (): void => done();
      function done(): void {
        clearTimeout(timer);
        resolve();
      }
      this.waiting.push(wake);
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    const ch = this.channel;
    this.channel = undefined;
    const waiting = this.waiting;
    this.waiting = [];
    for (const wake of waiting) wake();
    await ch?.close().catch(() => undefined);
  }
}
