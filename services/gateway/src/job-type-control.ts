import { CONTROL_EXCHANGE, controlRoutingKey, deadQueueName } from '@taskyard/contracts';
import { BrokerUnavailable, type BrokerConnection, type ConfirmPublisher } from '@taskyard/messaging';
import { insertUnique, type JobTypePauseRecord } from '@taskyard/tasks';
import type { Model } from 'mongoose';
import { Gauge } from 'prom-client';
import type { GatewayMetrics } from './metrics';

/**
 * Pause and resume of a job type (admin), and the purge of its dead letters. A pause is a document
 * (`_id` = type): inserted to pause, deleted to resume, so racing admins are decided by the insert or the
 * delete. Workers read it at start and every few seconds, and take the `<type>.paused|resumed` command on
 * the control exchange at once. Submits are still accepted while paused; the tasks wait in the queue.
 */
export class JobTypeControl {
  constructor(
    private readonly JobTypePause: Model<JobTypePauseRecord>,
    private readonly broker: BrokerConnection,
    private readonly publisher: ConfirmPublisher,
    metrics: GatewayMetrics,
    private readonly types: () => string[],
    private readonly timeoutMs: number,
  ) {
    const control = this;
    new Gauge({
      name: 'taskyard_job_type_paused',
      help: '1 while the job type is paused (its workers take no new tasks)',
      labelNames: ['type'] as const,
      registers: [metrics.registry],
      async collect() {
        const paused = await control.pausedTypes().catch(() => undefined);
        if (!paused) return;
        for (const type of control.types()) this.set({ type }, paused.has(type) ? 1 : 0);
      },
    });
  }

  /** The paused types: one read by `_id` per type (the collection holds one document per paused type at most). */
  async pausedTypes(): Promise<Set<string>> {
    const types = this.types();
    const found = await Promise.all(types.map((t) => this.JobTypePause.collection.findOne({ _id: t } as never, { projection: { _id: 1 }, maxTimeMS: this.timeoutMs })));
    return new Set(types.filter((_, i) => found[i] !== null));
  }

  async pause(type: string, by: string): Promise<{ type: string; paused: true }> {
    await insertUnique(this.JobTypePause, { _id: type, by, at: new Date() });
    await this.publisher.publish(CONTROL_EXCHANGE, controlRoutingKey(type, 'paused'), { type, by }, {});
    return { type, paused: true };
  }

  async resume(type: string): Promise<{ type: string; paused: false }> {
    await this.JobTypePause.collection.deleteOne({ _id: type } as never);
    await this.publisher.publish(CONTROL_EXCHANGE, controlRoutingKey(type, 'resumed'), { type }, {});
    return { type, paused: false };
  }

  /** Removes every dead letter of a type; the count is the broker's. The failed tasks themselves stay. */
  async purgeDeadLetters(type: string): Promise<{ type: string; purged: number }> {
    const conn = this.broker.connection;
    if (!conn) throw new BrokerUnavailable();
    const ch = await conn.createChannel();
    try {
      const { messageCount } = await ch.purgeQueue(deadQueueName(type));
      return { type, purged: messageCount };
    } finally {
      await ch.close().catch(() => undefined);
    }
  }
}
