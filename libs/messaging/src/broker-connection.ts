import { EventEmitter } from 'node:events';
import amqp, { type ChannelModel } from 'amqplib';
import type { Logger } from '@taskyard/logging';
import { coalesceWrites } from './coalesced-writes';

type Setup = (conn: ChannelModel) => Promise<void>;

/** The first wait after a whole round of nodes failed, and the most it grows to. */
export const RECONNECT_BACKOFF_MS = { first: 250, max: 5_000 } as const;
/** How long one node may take to accept a connection before the next one is tried. */
export const CONNECT_TIMEOUT_MS = 5_000;

/** `host:port` of an AMQP URL: what the logs name a node by (never its credentials). */
export function nodeOf(url: string): string {
  const u = new URL(url);
  return `${u.hostname}:${u.port || (u.protocol === 'amqps:' ? '5671' : '5672')}`;
}

/**
 * One AMQP connection that comes back by itself. Given the nodes of a cluster, it connects to one; when
 * that connection is lost it tries the next node at once, then the others in turn, waiting with back-off
 * only after a whole round failed. On every (re)connect it re-runs every registered setup (topology,
 * channels, consumers), so callers register once. The broker redelivers what a lost channel had not
 * acked; publishers republish what it had not confirmed (ConfirmPublisher).
 */
export class BrokerConnection extends EventEmitter {
  private conn?: ChannelModel;
  private readonly setups: Setup[] = [];
  private closing = false;
  private connecting?: Promise<void>;
  private readonly urls: readonly string[];
  /** The node tried first next time: the one after the node last connected to. */
  private nextNode = 0;
  private currentNode?: string;

  constructor(
    urls: string | readonly string[],
    private readonly logger: Logger,
    private readonly name = 'taskyard',
  ) {
    super();
    this.urls = typeof urls === 'string' ? [urls] : urls;
    if (this.urls.length === 0) throw new Error('BrokerConnection needs at least one broker URL');
  }

  /** `host:port` of the node connected to, if any. */
  get node(): string | undefined {
    return this.conn ? this.currentNode : undefined;
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
    let delay: number = RECONNECT_BACKOFF_MS.first;
    while (!this.closing) {
      const err = await this.tryEachNode();
      if (!err) return;
      if (once) throw err;
      this.logger.warn({ err: err.message, nodes: this.urls.length, retryInMs: delay }, 'broker unreachable; retrying');
      await new Promise((r) => setTimeout(r, delay));
      delay = Math.min(delay * 2, RECONNECT_BACKOFF_MS.max);
    }
  }

  /** One round over the nodes, starting at `nextNode`; the last error when none took the connection. */
  private async tryEachNode(): Promise<Error | undefined> {
    let last: Error | undefined;
    for (let i = 0; i < this.urls.length && !this.closing; i++) {
      const index = (this.nextNode + i) % this.urls.length;
      try {
        await this.connectOnce(this.urls[index]);
        this.nextNode = (index + 1) % this.urls.length;
        return undefined;
      } catch (err) {
        last = err as Error;
        if (this.urls.length > 1) this.logger.warn({ err: last.message, node: nodeOf(this.urls[index]) }, 'broker node unreachable; trying the next');
      }
    }
    return last ?? new Error('closing');
  }

  private async connectOnce(url: string): Promise<void> {
    const conn = await amqp.connect(url, { clientProperties: { connection_name: this.name }, timeout: CONNECT_TIMEOUT_MS });
    if (!coalesceWrites(conn)) this.logger.warn('amqplib internals not as expected: each frame goes out in a socket write of its own');
    conn.on('error', (err: Error) => this.logger.warn({ err: err.message }, 'broker connection error'));
    conn.on('close', () => this.handleClose(conn));
    this.conn = conn;
    this.currentNode = nodeOf(url);
    try {
      for (const setup of [...this.setups]) await setup(conn);
    } catch (err) {
      this.conn = undefined;
      await conn.close().catch(() => undefined);
      throw err;
    }
    this.logger.info({ node: this.currentNode }, 'broker connected');
    this.emit('connected');
  }

  private handleClose(conn: ChannelModel): void {
    if (this.conn !== conn) return;
    this.conn = undefined;
    this.emit('disconnected');
    if (this.closing) return;
    this.logger.warn({ node: this.currentNode }, 'broker connection lost; reconnecting');
    void this.start();
  }
}
