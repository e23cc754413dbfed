import type { Channel, ChannelModel, ConsumeMessage } from 'amqplib';
import { TASK_EVENTS_EXCHANGE, isBindableTaskId, taskEventsBinding, type TaskEvent } from '@taskyard/contracts';
import type { Logger } from '@taskyard/logging';
import { parseJson, type BrokerConnection } from '@taskyard/messaging';

export interface HubListener {
  event(event: TaskEvent): void;
  /** The hub is shutting down: end the stream. */
  close(): void;
}

export interface HubSubscription {
  /** Resolves once the broker routes the task's events here (a failed binding is logged, not thrown). */
  ready: Promise<void>;
  unsubscribe(): void;
}

/**
 * Feeds the SSE streams from `task-events`, never by polling the database: ONE exclusive, auto-delete,
 * server-named queue per gateway process, bound only to the tasks that have a stream open (`#.<taskId>`,
 * added by the first stream of a task, removed after its last), fanned out in memory by task id. So a
 * gateway without open streams receives nothing, however many tasks run. Events are taken without acks:
 * a stream is a live view; what it misses (published before its binding, or during a broker reconnect) it
 * catches up with by reading its task (see the events route).
 */
export class SseHub {
  private readonly listeners = new Map<string, Set<HubListener>>();
  /** Each streamed task's binding, made (or being made) on the current channel. */
  private readonly bound = new Map<string, Promise<void>>();
  private channel?: Channel;
  private queue?: string;
  private closed = false;
  /** Task events this process has received (an idle gateway: none). */
  received = 0;

  constructor(
    private readonly broker: BrokerConnection,
    private readonly logger: Logger,
  ) {}

  /** Registers the subscription; it is made (again) on every broker (re)connect. */
  start(): Promise<void> {
    return this.broker.onConnect((conn) => this.connect(conn));
  }

  private async connect(conn: ChannelModel): Promise<void> {
    if (this.closed) return;
    const ch = await conn.createChannel();
    ch.on('error', (err: Error) => this.logger.warn({ err: err.message }, 'sse hub channel error'));
    const { queue } = await ch.assertQueue('', { exclusive: true, autoDelete: true, durable: false });
    await ch.consume(queue, (msg) => msg && this.dispatch(msg), { noAck: true });
    this.channel = ch;
    this.queue = queue;
    // A new queue after a reconnect: the tasks streamed now are bound to it again.
    this.bound.clear();
    await Promise.all([...this.listeners.keys()].map((taskId) => this.ensureBound(taskId)));
  }

  private ensureBound(taskId: string): Promise<void> {
    let binding = this.bound.get(taskId);
    if (!binding) this.bound.set(taskId, (binding = this.route('bind', taskId)));
    return binding;
  }

  /** Binds or unbinds one task's events. A channel runs its commands in order, so a bind after an unbind wins. */
  private async route(op: 'bind' | 'unbind', taskId: string): Promise<void> {
    const { channel: ch, queue } = this;
    if (!ch || !queue || !isBindableTaskId(taskId)) return;
    try {
      if (op === 'bind') await ch.bindQueue(queue, TASK_EVENTS_EXCHANGE, taskEventsBinding(taskId));
      else await ch.unbindQueue(queue, TASK_EVENTS_EXCHANGE, taskEventsBinding(taskId));
    } catch (err) {
      this.logger.warn({ taskId, op, err: (err as Error).message }, 'sse hub could not change a binding');
    }
  }

  private dispatch(msg: ConsumeMessage): void {
    this.received++;
    let event: TaskEvent;
    try {
      event = parseJson<TaskEvent>(msg.content);
    } catch {
      return;
    }
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

  /** Listens to one task's events (from its binding on: `ready`). */
  subscribe(taskId: string, listener: HubListener): HubSubscription {
    let set = this.listeners.get(taskId);
    if (!set) this.listeners.set(taskId, (set = new Set()));
    set.add(listener);
    const unsubscribe = (): void => {
      if (!set.delete(listener) || set.size > 0 || this.listeners.get(taskId) !== set) return;
      this.listeners.delete(taskId);
      this.bound.delete(taskId);
      void this.route('unbind', taskId);
    };
    return { ready: this.ensureBound(taskId), unsubscribe };
  }

  get subscriberCount(): number {
    let n = 0;
    for (const set of this.listeners.values()) n += set.size;
    return n;
  }

  /** Tasks whose events are routed to this process now. */
  get boundTasks(): number {
    return this.bound.size;
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const set of this.listeners.values()) for (const l of [...set]) l.close();
    this.listeners.clear();
    this.bound.clear();
    const ch = this.channel;
    this.channel = undefined;
    await ch?.close().catch(() => undefined);
  }
}
