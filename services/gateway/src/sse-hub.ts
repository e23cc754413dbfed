import type { Channel, ChannelModel, ConsumeMessage } from 'amqplib';
import { TASK_EVENTS_EXCHANGE, type TaskEvent } from '@taskyard/contracts';
import type { Logger } from '@taskyard/logging';
import { parseJson, type BrokerConnection } from '@taskyard/messaging';

export interface HubListener {
  event(event: TaskEvent): void;
  /** The hub is shutting down: end the stream. */
  close(): void;
}

/**
 * Feeds the SSE streams from `task-events`, never by polling the database: ONE exclusive, auto-delete,
 * server-named queue per gateway process, bound with `#`, fanned out in memory by task id. Events are
 * taken without acks: a stream is a live view, and a client that misses one reconnects to a fresh snapshot.
 */
/** How long, and how many, recent events per task the hub keeps for streams that subscribe late. */
const RECENT_MS = 120_000;
const RECENT_PER_TASK = 100;
const RECENT_TASKS = 20_000;

export class SseHub {
  private readonly listeners = new Map<string, Set<HubListener>>();
  /**
   * Each task's latest events, replayed to a new subscriber: an event published before the stream
   * subscribed but not yet written by the status service is in neither the snapshot nor the live feed.
   * Replaying is safe because the stream folds events, and folding one twice changes nothing.
   */
  private readonly recent = new Map<string, { events: TaskEvent[]; at: number }>();
  private channel?: Channel;
  private closed = false;

  constructor(
    private readonly broker: BrokerConnection,
    private readonly logger: Logger,
  ) {}

  /** Registers the subscription; it is made (again) on every broker (re)connect. */
  start(): Promise<void> {
    return this.broker.onConnect((conn) => this.bind(conn));
  }

  private async bind(conn: ChannelModel): Promise<void> {
    if (this.closed) return;
    const ch = await conn.createChannel();
    ch.on('error', (err: Error) => this.logger.warn({ err: err.message }, 'sse hub channel error'));
    const { queue } = await ch.assertQueue('', { exclusive: true, autoDelete: true, durable: false });
    await ch.bindQueue(queue, TASK_EVENTS_EXCHANGE, '#');
    await ch.consume(queue, (msg) => msg && this.dispatch(msg), { noAck: true });
    this.channel = ch;
  }

  private dispatch(msg: ConsumeMessage): void {
    let event: TaskEvent;
    try {
      event = parseJson<TaskEvent>(msg.content);
    } catch {
      return;
    }
    this.remember(event);
    const set = this.listeners.get(event.taskId);
    if (!set) return;
    for (const l of [...set]) {
      try {
        l.event(event);
      } catch (err) {
        this.logger.warn({ taskId: event.taskId, err: (err as Error).message }, 'sse listener failed');
      }
    }
  }

  private remember(event: TaskEvent): void {
    const now = Date.now();
    const entry = this.recent.get(event.taskId);
    if (entry) {
      entry.events.push(event);
      if (entry.events.length > RECENT_PER_TASK) entry.events.shift();
      entry.at = now;
      // Keep the map in recency order, so the oldest tasks are the first ones evicted.
      this.recent.delete(event.taskId);
      this.recent.set(event.taskId, entry);
    } else {
      this.recent.set(event.taskId, { events: [event], at: now });
    }
    for (const [id, e] of this.recent) {
      if (this.recent.size <= RECENT_TASKS && now - e.at < RECENT_MS) break;
      this.recent.delete(id);
    }
  }

  /** Listens to one task's events, starting with its recent ones; returns the unsubscribe. */
  subscribe(taskId: string, listener: HubListener): () => void {
    let set = this.listeners.get(taskId);
    if (!set) this.listeners.set(taskId, (set = new Set()));
    set.add(listener);
    for (const e of this.recent.get(taskId)?.events ?? []) listener.event(e);
    return () => {
      set.delete(listener);
      if (set.size === 0 && this.listeners.get(taskId) === set) this.listeners.delete(taskId);
    };
  }

  get subscriberCount(): number {
    let n = 0;
    for (const set of this.listeners.values()) n += set.size;
    return n;
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const set of this.listeners.values()) for (const l of [...set]) l.close();
    this.listeners.clear();
    this.recent.clear();
    const ch = this.channel;
    this.channel = undefined;
    await ch?.close().catch(() => undefined);
  }
}
