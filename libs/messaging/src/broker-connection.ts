import { EventEmitter } from 'node:events';
import amqp, { type ChannelModel } from 'amqplib';
import type { Logger } from '@taskyard/logging';

type Setup = (conn: ChannelModel) => Promise<void>;

/**
 * One AMQP connection that comes back by itself: after the broker restarts it reconnects with back-off and
 * re-runs every registered setup (topology, channels, consumers), so callers register once.
 */
export class BrokerConnection extends EventEmitter {
  private conn?: ChannelModel;
  private readonly setups: Setup[] = [];
  private closing = false;
  private connecting?: Promise<void>;

  constructor(
    private readonly url: string,
    private readonly logger: Logger,
    private readonly name = 'taskyard',
  ) {
    super();
  }

  get connected(): boolean {
    return this.conn !== undefined;
  }

  /** Connects (retrying until it succeeds unless `once`), then resolves. */
  start(opts: { once?: boolean } = {}): Promise<void> {
    this.connecting ??= this.connectLoop(opts.once ?? false).finally(() => (this.connecting = undefined));
    return this.connecting;
  }

  /** Runs `setup` now if connected, and again after every reconnect. */
  async onConnect(setup: Setup): Promise<void> {
    this.setups.push(setup);
    if (this.conn) await setup(this.conn);
  }

  removeSetup(setup: Setup): void {
    const i = this.setups.indexOf(setup);
    if (i >= 0) this.setups.splice(i, 1);
  }

  get connection(): ChannelModel | undefined {
    return this.conn;
  }

  async close(): Promise<void> {
    this.closing = true;
    const conn = this.conn;
    this.conn = undefined;
    await conn?.close().catch(() => undefined);
  }

  private async connectLoop(once: boolean): Promise<void> {
    let delay = 250;
    while (!this.closing) {
      try {
        await this.connectOnce();
        return;
      } catch (err) {
        if (once) throw err;
        this.logger.warn({ err: (err as Error).message, retryInMs: delay }, 'broker unreachable; retrying');
        await new Promise((r) => setTimeout(r, delay));
        delay = Math.min(delay * 2, 5_000);
      }
    }
  }

  private async connectOnce(): Promise<void> {
    const conn = await amqp.connect(this.url, { clientProperties: { connection_name: this.name } });
    conn.on('error', (err: Error) => this.logger.warn({ err: err.message }, 'broker connection error'));
    conn.on('close', () => this.handleClose(conn));
    this.conn = conn;
    try {
      for (const setup of [...this.setups]) await setup(conn);
    } catch (err) {
      this.conn = undefined;
      await conn.close().catch(() => undefined);
      throw err;
    }
    this.logger.info('broker connected');
    this.emit('connected');
  }

  private handleClose(conn: ChannelModel): void {
    if (this.conn !== conn) return;
    this.conn = undefined;
    this.emit('disconnected');
    if (this.closing) return;
    this.logger.warn('broker connection lost; reconnecting');
    void this.start();
  }
}
