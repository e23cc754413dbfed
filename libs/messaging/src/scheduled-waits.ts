import type { Channel } from 'amqplib';
import { SCHEDULED_DUE_EXCHANGE, SCHEDULED_DUE_QUEUE, scheduledWaitQueue } from '@taskyard/contracts';

const QUORUM = { 'x-queue-type': 'quorum' };

/** One wait queue: every message in it waits exactly `ms`, then is dead-lettered to the due queue. */
export interface ScheduledWait {
  ms: number;
  queue: string;
}

const label = (ms: number): string => (ms < 1000 ? `${ms}ms` : `${ms / 1000}s`);

/**
 * The waits, shortest first: 250 ms, then powers of 4 seconds up to 1,048,576 s (about 12 days). A delay is
 * made of at most three of each length (30 days: about 20 hops), and since a message is only ever sent to
 * a wait no longer than what remains, it is never released early; the last hop overshoots by < 250 ms.
 */
export const SCHEDULED_WAITS: ScheduledWait[] = [250, ...Array.from({ length: 11 }, (_, i) => 1000 * 4 ** i)].map((ms) => ({
  ms,
  queue: scheduledWaitQueue(label(ms)),
}));

/** The longest wait not longer than `remainingMs` (the shortest when even that is longer). */
export function waitFor(remainingMs: number): ScheduledWait {
  let best = SCHEDULED_WAITS[0];
  for (const w of SCHEDULED_WAITS) if (w.ms <= remainingMs) best = w;
  return best;
}

/**
 * Declares the wait queues and the due queue. Dead-lettering is at-least-once (quorum queues' default is
 * at-most-once, which could drop a waiting task if a broker node failed at that moment).
 */
export async function declareScheduledWaits(ch: Channel): Promise<void> {
  await ch.assertExchange(SCHEDULED_DUE_EXCHANGE, 'fanout', { durable: true });
  await ch.assertQueue(SCHEDULED_DUE_QUEUE, { durable: true, arguments: QUORUM });
  await ch.bindQueue(SCHEDULED_DUE_QUEUE, SCHEDULED_DUE_EXCHANGE, '');
  for (const w of SCHEDULED_WAITS) {
    await ch.assertQueue(w.queue, {
      durable: true,
      arguments: {
        ...QUORUM,
        'x-message-ttl': w.ms,
        'x-dead-letter-exchange': SCHEDULED_DUE_EXCHANGE,
        'x-dead-letter-strategy': 'at-least-once',
        'x-overflow': 'reject-publish',
      },
    });
  }
}
