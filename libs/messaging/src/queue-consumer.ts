import type { Channel, ConsumeMessage } from 'amqplib';
import type { Logger } from '@taskyard/logging';
import type { BrokerConnection } from './broker-connection';

/** What to do with a message once handled. */
export type Settlement = 'ack' | 'requeue' | 'drop';

export type MessageHandler = (msg: ConsumeMessage) => Promise<Settlement>;
export type BatchHandler = (msgs: ConsumeMessage[]) => Promise<Settlement>;

export interface ConsumerOptions {
  queue: string;
  prefetch: number;
  /**
   * Declares what the consumer needs on the fresh channel (run after every reconnect); may return the
   * queue to consume instead of `queue` (a server-named exclusive queue).
   */
  setup?: (ch: Channel) => Promise<string | void>;
  exclusive?: boolean;
  /**
   * The queue is single-active-consumer (one writer per partition). The broker activates the next consumer
   * as soon as the active one is cancelled, while the messages it holds are still unsettled (RabbitMQ 3.10,
   * quorum queue: measured), so a cancel-then-drain stop would let two consumers work on one partition at
   * once. Such a consumer's stop keeps its subscription until what it is handling is settled; then the
   * channel closes and the next consumer takes over, what arrived meanwhile first.
   */
  singleActive?: boolean;
  /**
   * Told whenever this consumer may have lost the queue (its channel closed, the broker cancelled it, or it
   * subscribes anew): a single-active queue's messages may then go to another consumer, so what the holder
   * remembered of them is stale.
   */
  onLost?: () => void;
}

/**
 * The acks of one channel settled in one turn of the event loop, sent together: every message settled below
 * the lowest tag still in hand goes in one ack with `multiple` (one frame for a status partition's folded
 * batch, and one settle in the quorum queue's log instead of one per message); one settled above a message
 * still in hand is acked alone, so nothing in hand is ever acked by it. A nack is sent at once.
 */
class ChannelAcks {
  /** Delivered and not settled (a message left unsettled by a stopping consumer stays here for ever). */
  private readonly inHand = new Set<number>();
  private settled: ConsumeMessage[] = [];
  private immediate?: NodeJS.Immediate;

  constructor(private readonly ch: Channel) {}

  delivered(msg: ConsumeMessage): void {
    this.inHand.add(msg.fields.deliveryTag);
  }

  settle(msg: ConsumeMessage, s: Settlement): void {
    if (s === 'ack') {
      this.settled.push(msg);
      this.immediate ??= setImmediate(() => this.flush());
    } else {
      this.inHand.delete(msg.fields.deliveryTag);
      guarded(() => this.ch.nack(msg, false, s === 'requeue'));
    }
  }

  /** Sends the acks waiting (also called before the channel closes). */
  flush(): void {
    clearImmediate(this.immediate);
    this.immediate = undefined;
    const acks = this.settled;
    this.settled = [];
    for (const m of acks) this.inHand.delete(m.fields.deliveryTag);
    let lowest = Infinity;
    for (const tag of this.inHand) lowest = Math.min(lowest, tag);
    let upTo: ConsumeMessage | undefined;
    for (const m of acks) {
      if (m.fields.deliveryTag > lowest) guarded(() => this.ch.ack(m));
      else if (!upTo || m.fields.deliveryTag > upTo.fields.deliveryTag) upTo = m;
    }
    if (upTo) {
      const last = upTo;
      guarded(() => this.ch.ack(last, true));
    }
  }
}

function guarded(send: () => void): void {
  try {
    send();
  } catch {
    // The channel closed under us: the broker requeues the message itself.
  }
}

/**
 * Consumes one queue with manual acks and a prefetch, resubscribing after a reconnect. `stop()` stops
 * taking messages (one delivered after it is not handled: it goes back to the queue), waits for those in
 * hand (or requeues them after `graceMs`), then closes the channel.
 */
export class QueueConsumer {
  private channel?: Channel;
  private acks?: ChannelAcks;
  private tag?: string;
  private readonly inFlight = new Set<Promise<void>>();
  private stopping = false;
  private paused = false;
  private queue?: string;
  private readonly setupFn = (conn: Parameters<Parameters<BrokerConnection['onConnect']>[0]>[0]): Promise<void> => this.subscribe(conn);

  constructor(
    private readonly broker: BrokerConnection,
    private readonly opts: ConsumerOptions,
    private readonly handler: MessageHandler,
    private readonly logger: Logger,
  ) {}

  start(): Promise<void> {
    return this.broker.onConnect(this.setupFn);
  }

  get inFlightCount(): number {
    return this.inFlight.size;
  }

  private async subscribe(conn: Parameters<Parameters<BrokerConnection['onConnect']>[0]>[0]): Promise<void> {
    if (this.stopping) return;
    this.opts.onLost?.();
    const ch = await conn.createChannel();
    ch.on('error', (err: Error) => this.logger.warn({ err: err.message, queue: this.opts.queue }, 'consumer channel error'));
    if (this.opts.onLost) ch.on('close', this.opts.onLost);
    this.queue = (await this.opts.setup?.(ch)) || this.opts.queue;
    await ch.prefetch(this.opts.prefetch);
    this.channel = ch;
    this.acks = new ChannelAcks(ch);
    this.tag = undefined;
    if (!this.paused) await this.consume(ch);
  }

  private async consume(ch: Channel): Promise<void> {
    const acks = this.acks!;
    // A null message: the broker cancelled the subscription (its queue deleted, or a cluster node lost).
    const { consumerTag } = await ch.consume(this.queue!, (msg) => (msg ? this.dispatch(acks, msg) : this.opts.onLost?.()), {
      noAck: false,
      exclusive: this.opts.exclusive ?? false,
    });
    this.tag = consumerTag;
  }

  /**
   * Stops taking new messages but keeps the channel, so messages in hand still finish and are acked
   * (closing it would return them to the queue mid-run). Survives reconnects until `resume()`.
   */
  async pause(): Promise<void> {
    this.paused = true;
    const tag = this.tag;
    this.tag = undefined;
    if (this.channel && tag) await this.channel.cancel(tag).catch(() => undefined);
  }

  async resume(): Promise<void> {
    if (!this.paused) return;
    this.paused = false;
    if (this.channel && !this.tag && !this.stopping) await this.consume(this.channel);
  }

  private dispatch(acks: ChannelAcks, msg: ConsumeMessage): void {
    acks.delivered(msg);
    // Left unsettled: closing the channel returns it to the queue for the next consumer.
    if (this.stopping) return;
    const work = this.handler(msg)
      .catch((err: unknown) => {
        this.logger.error({ err: (err as Error).message, queue: this.opts.queue }, 'message handler failed; requeueing');
        return 'requeue' as Settlement;
      })
      .then((settlement) => acks.settle(msg, settlement))
      .finally(() => this.inFlight.delete(work));
    this.inFlight.add(work);
  }

  async stop(graceMs = 30_000): Promise<void> {
    this.stopping = true;
    this.broker.removeSetup(this.setupFn);
    const ch = this.channel;
    if (ch && this.tag && !this.opts.singleActive) await ch.cancel(this.tag).catch(() => undefined);
    const timeout = new Promise((r) => setTimeout(r, graceMs).unref());
    await Promise.race([Promise.allSettled([...this.inFlight]), timeout]);
    // Closing the channel returns whatever is still unacked to the queue.
    this.acks?.flush();
    await ch?.close().catch(() => undefined);
    this.channel = undefined;
  }
}
