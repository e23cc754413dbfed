import type { Channel } from 'amqplib';
import {
  CALLBACK_QUEUE,
  DEAD_LETTER_EXCHANGE,
  callbackDelayQueue,
  EXPIRED_EXCHANGE,
  EXPIRED_QUEUE,
  LEASE_EXPIRY_QUEUE,
  STATUS_PARTITION_EXCHANGE,
  TASK_EVENTS_EXCHANGE,
  TASKS_EXCHANGE,
  CONTROL_EXCHANGE,
  TASK_PRIORITIES,
  deadQueueName,
  priorityQueueName,
  priorityRoutingKey,
  delayQueueName,
  leaseCheckQueueName,
  queueName,
  statusPartitionQueue,
  timerQueueName,
  type JobTypeDefinition,
} from '@taskyard/contracts';

import { declareScheduledWaits } from './scheduled-waits';

const QUORUM = { 'x-queue-type': 'quorum' };

/** How many partitions the status service's event stream is split into (one writer per partition). */
export const DEFAULT_STATUS_PARTITIONS = 4;

export function delaysFor(def: JobTypeDefinition): number[] {
  return [...new Set(def.limits.backoffMs.map((ms) => Math.max(0, Math.round(ms / 1000) * 1000)))];
}

/** Declares one job type's queues: work (one per priority), dead letters, and a back-off delay queue per delay and priority. */
export async function declareJobType(ch: Channel, def: JobTypeDefinition): Promise<void> {
  const q = queueName(def.type);
  await ch.assertQueue(q, {
    durable: true,
    arguments: { ...QUORUM, 'x-message-ttl': def.limits.messageTtlMs, 'x-dead-letter-exchange': EXPIRED_EXCHANGE },
  });
  await ch.bindQueue(q, TASKS_EXCHANGE, def.type);
  for (const priority of TASK_PRIORITIES.filter((p) => p !== 'normal')) {
    const pq = priorityQueueName(def.type, priority);
    await ch.assertQueue(pq, {
      durable: true,
      arguments: { ...QUORUM, 'x-message-ttl': def.limits.messageTtlMs, 'x-dead-letter-exchange': EXPIRED_EXCHANGE },
    });
    await ch.bindQueue(pq, TASKS_EXCHANGE, priorityRoutingKey(def.type, priority));
  }
  await ch.assertQueue(deadQueueName(def.type), { durable: true, arguments: QUORUM });
  await ch.bindQueue(deadQueueName(def.type), DEAD_LETTER_EXCHANGE, def.type);
  for (const delay of delaysFor(def)) {
    for (const priority of TASK_PRIORITIES) {
      // No plugin needed: the message waits out the queue's TTL, then is dead-lettered back to `tasks`, to
      // the queue of its priority (a retried attempt of a high task is still high).
      await ch.assertQueue(delayQueueName(def.type, delay, priority), {
        durable: true,
        arguments: {
          ...QUORUM,
          'x-message-ttl': delay,
          'x-dead-letter-exchange': TASKS_EXCHANGE,
          'x-dead-letter-routing-key': priorityRoutingKey(def.type, priority),
        },
      });
    }
  }
}

/** How long a lease check waits: half a lease, so an expired lease is found within 1.5 leases. */
export const leaseCheckDelayMs = (def: JobTypeDefinition): number => Math.max(500, Math.round(def.limits.leaseMs / 2));

/**
 * An external type's lease checks: a check waits out the queue's TTL, then is dead-lettered (through the
 * default exchange) to the lease-expiry queue, where the gateway looks at the claim it names.
 */
export async function declareLeaseChecks(ch: Channel, def: JobTypeDefinition): Promise<void> {
  await ch.assertQueue(LEASE_EXPIRY_QUEUE, { durable: true, arguments: QUORUM });
  await ch.assertQueue(leaseCheckQueueName(def.type), {
    durable: true,
    arguments: { ...QUORUM, 'x-message-ttl': leaseCheckDelayMs(def), 'x-dead-letter-exchange': '', 'x-dead-letter-routing-key': LEASE_EXPIRY_QUEUE },
  });
}

/** Declares the exchanges every service relies on (idempotent; safe to run from each service at start). */
export async function declareExchanges(ch: Channel): Promise<void> {
  await ch.assertExchange(TASKS_EXCHANGE, 'direct', { durable: true });
  await ch.assertExchange(DEAD_LETTER_EXCHANGE, 'direct', { durable: true });
  await ch.assertExchange(EXPIRED_EXCHANGE, 'fanout', { durable: true });
  await ch.assertExchange(TASK_EVENTS_EXCHANGE, 'topic', { durable: true });
  await ch.assertExchange(CONTROL_EXCHANGE, 'topic', { durable: true });
  await ch.assertQueue(EXPIRED_QUEUE, { durable: true, arguments: QUORUM });
  await ch.bindQueue(EXPIRED_QUEUE, EXPIRED_EXCHANGE, '');
  await declareFirstStatusPartition(ch);
}

/**
 * The status partitions' exchange and its first partition, declared by every service that publishes task
 * events (each declares this at start), not only by the status service: an event is kept only if a status
 * partition is bound when it is published (the gateway's SSE queue and a worker's cancel queue do not keep
 * it for the status service). On a fresh broker (a first `docker compose up`, a test's fresh vhost) a worker
 * could otherwise run a task and publish its end before the status service had declared its partitions: the
 * events went nowhere and the task stayed queued for ever, its slot held (issue 19: submit-crash's CI
 * timeouts). The consistent-hash exchange routes over the partitions bound at the time, so with p0 alone
 * every event waits in p0, which exists whatever the partition count; the status service binds the others.
 */
async function declareFirstStatusPartition(ch: Channel): Promise<void> {
  await declarePartitionExchange(ch);
  await declarePartition(ch, 0);
}

async function declarePartitionExchange(ch: Channel): Promise<void> {
  await ch.assertExchange(STATUS_PARTITION_EXCHANGE, 'x-consistent-hash', {
    durable: true,
    arguments: { 'hash-header': 'task-id' },
  });
  await ch.bindExchange(STATUS_PARTITION_EXCHANGE, TASK_EVENTS_EXCHANGE, '#');
}

/** One partition: a single-active-consumer quorum queue on the ring (weight 1). */
async function declarePartition(ch: Channel, i: number): Promise<string> {
  const q = statusPartitionQueue(i);
  await ch.assertQueue(q, { durable: true, arguments: { ...QUORUM, 'x-single-active-consumer': true } });
  await ch.bindQueue(q, STATUS_PARTITION_EXCHANGE, '1');
  return q;
}

/**
 * The status service's view of `task-events`: a consistent-hash exchange splits events by task id over
 * `partitions` queues, each single-active-consumer, so exactly one status replica writes a given task.
 */
export async function declareStatusPartitions(ch: Channel, partitions = DEFAULT_STATUS_PARTITIONS): Promise<string[]> {
  await declarePartitionExchange(ch);
  const queues: string[] = [];
  for (let i = 0; i < partitions; i++) queues.push(await declarePartition(ch, i));
  return queues;
}

/** The status service's callback deliveries: the work queue and one delay queue per retry back-off. */
export async function declareCallbackQueues(ch: Channel, backoffMs: readonly number[]): Promise<void> {
  await ch.assertQueue(CALLBACK_QUEUE, { durable: true, arguments: QUORUM });
  for (const delay of new Set(backoffMs)) {
    await ch.assertQueue(callbackDelayQueue(delay), {
      durable: true,
      arguments: { ...QUORUM, 'x-message-ttl': delay, 'x-dead-letter-exchange': '', 'x-dead-letter-routing-key': CALLBACK_QUEUE },
    });
  }
}

/**
 * The status service's timer queues, one per delay (a queue's TTL is its delay, so its messages leave in
 * order): at their time they are dead-lettered to the status partitions (declared first). At-least-once
 * dead-lettering, since a lost timer would leave a stuck task unrecovered.
 */
export async function declareTimerQueues(ch: Channel, delaysMs: Iterable<number>): Promise<void> {
  for (const delay of new Set([...delaysMs].map((ms) => Math.max(1000, Math.round(ms / 1000) * 1000)))) {
    await ch.assertQueue(timerQueueName(delay), {
      durable: true,
      arguments: {
        ...QUORUM,
        'x-message-ttl': delay,
        'x-dead-letter-exchange': STATUS_PARTITION_EXCHANGE,
        'x-dead-letter-strategy': 'at-least-once',
        'x-overflow': 'reject-publish',
      },
    });
  }
}

export async function declareTopology(ch: Channel, types: Iterable<JobTypeDefinition>): Promise<void> {
  await declareExchanges(ch);
  await declareScheduledWaits(ch);
  for (const def of types) {
    await declareJobType(ch, def);
    if (def.processedOutside) await declareLeaseChecks(ch, def);
  }
}
