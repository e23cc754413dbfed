import type { Logger } from '@taskyard/logging';
import { dispatchTask, type BrokerConnection, type ConfirmPublisher } from '@taskyard/messaging';
import { taskMessageOf, type TaskModels, type TaskRecord } from '@taskyard/tasks';
import type { GatewayMetrics } from './metrics';

const BATCH = 100;

type RelayTask = Pick<TaskRecord, '_id' | 'type' | 'owner' | 'title' | 'tag' | 'params' | 'maxAttempts' | 'parentId' | 'createdAt' | 'status' | 'priority' | 'runAt'>;
const RELAY_FIELDS = { type: 1, owner: 1, title: 1, tag: 1, params: 1, maxAttempts: 1, parentId: 1, createdAt: 1, status: 1, priority: 1, runAt: 1 } as const;

/**
 * Publishes what was stored but not confirmed: every `intervalMs` while the broker is connected, and at
 * once when it reconnects. An entry is deleted only after the broker confirms its message, so a crash in
 * between publishes it twice (workers tolerate a duplicate), never zero times.
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
      const entries = await this.models.Outbox.find({}, { _id: 1 }).sort({ createdAt: 1 }).limit(BATCH).maxTimeMS(this.dbTimeoutMs).lean().exec();
      if (entries.length === 0) return;
      await Promise.all(entries.map((e) => this.relay(e._id)));
      if (entries.length < BATCH) return;
    }
  }

  private async relay(id: string): Promise<void> {
    // One read by _id per entry: FerretDB answers `_id: {$in: [...]}` with a table scan.
    const task = await this.models.Task.findOne({ _id: id }, RELAY_FIELDS).maxTimeMS(this.dbTimeoutMs).lean<RelayTask>().exec();
    // A task past `queued` was delivered after all (a confirm that timed out); nothing to publish.
    const waiting = task && (task.status === 'queued' || task.status === 'scheduled');
    if (waiting) await dispatchTask(this.publisher, taskMessageOf(task, 1), { republished: true });
    await this.models.Outbox.deleteOne({ _id: id });
    this.metrics.relayed.inc();
    this.logger.info({ taskId: id, published: waiting }, 'outbox entry relayed');
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.broker.off('connected', this.onConnected);
    await this.round;
  }
}
