import type { Model } from 'mongoose';
import { CONTROL_EXCHANGE, controlRoutingKey } from '@taskyard/contracts';
import type { Logger } from '@taskyard/logging';
import { QueueConsumer, type BrokerConnection } from '@taskyard/messaging';
import type { JobTypePauseRecord } from '@taskyard/tasks';

/** How often a worker re-reads its type's pause document (one read by `_id`), in case it missed a command. */
export const DEFAULT_PAUSE_POLL_MS = 5_000;

export interface PauseSwitchOptions {
  broker: BrokerConnection;
  JobTypePause: Model<JobTypePauseRecord>;
  type: string;
  logger: Logger;
  /** Called on every change of state (and once at start). */
  onChange(paused: boolean): Promise<void>;
  pollMs?: number;
}

/**
 * Whether a job type is paused, as its workers learn it: the pause document (`_id` = type; present means
 * paused) read at start and every `pollMs`, and the `<type>.paused`/`<type>.resumed` commands on the
 * control exchange, which make it take effect at once.
 */
export class PauseSwitch {
  private paused?: boolean;
  private timer?: NodeJS.Timeout;
  private consumer?: QueueConsumer;
  private applying: Promise<void> = Promise.resolve();

  constructor(private readonly opts: PauseSwitchOptions) {}

  get isPaused(): boolean {
    return this.paused === true;
  }

  async start(): Promise<void> {
    const { broker, type, logger } = this.opts;
    this.consumer = new QueueConsumer(
      broker,
      {
        queue: '',
        prefetch: 10,
        exclusive: true,
        setup: async (ch) => {
          const q = await ch.assertQueue('', { exclusive: true, autoDelete: true, durable: false });
          await ch.assertExchange(CONTROL_EXCHANGE, 'topic', { durable: true });
          await ch.bindQueue(q.queue, CONTROL_EXCHANGE, controlRoutingKey(type, 'paused'));
          await ch.bindQueue(q.queue, CONTROL_EXCHANGE, controlRoutingKey(type, 'resumed'));
          return q.queue;
        },
      },
      async (msg) => {
        await this.set(msg.fields.routingKey === controlRoutingKey(type, 'paused'));
        return 'ack';
      },
      logger,
    );
    await this.consumer.start();
    await this.poll();
    this.timer = setInterval(() => void this.poll(), this.opts.pollMs ?? DEFAULT_PAUSE_POLL_MS);
    this.timer.unref();
  }

  private async poll(): Promise<void> {
    try {
      const doc = await this.opts.JobTypePause.collection.findOne({ _id: this.opts.type } as never, { projection: { _id: 1 }, maxTimeMS: 5_000 });
      await this.set(doc !== null);
    } catch (err) {
      this.opts.logger.warn({ err: (err as Error).message, type: this.opts.type }, 'could not read the pause state; keeping the last known');
    }
  }

  /** Changes are applied one after another, so a quick pause-resume never ends in the wrong state. */
  private set(paused: boolean): Promise<void> {
    this.applying = this.applying.then(async () => {
      if (this.paused === paused) return;
      this.paused = paused;
      this.opts.logger.info({ type: this.opts.type, paused }, paused ? 'job type paused: taking no new tasks' : 'job type resumed');
      await this.opts.onChange(paused);
    });
    return this.applying;
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.consumer?.stop(0);
    await this.applying;
  }
}
