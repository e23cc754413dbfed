import { randomBytes, randomUUID } from 'node:crypto';
import { once } from 'node:events';
import amqp, { type ChannelModel, type ConfirmChannel } from 'amqplib';
import { rate, type Rate } from '../lib/rate';

export type QueueKind = 'quorum' | 'classic';

export interface QueueCeiling {
  queue: string;
  /** Messages confirmed by the broker per second while publishing. */
  publishConfirmed: Rate;
  /** Messages published, delivered and acked per second, from the first publish to the last ack. */
  endToEnd: Rate;
}

export interface BrokerCeilings {
  messageBytes: number;
  prefetch: number;
  /** Unconfirmed messages the publisher lets in flight before it waits. */
  confirmWindow: number;
  quorum: QueueCeiling;
  classic: QueueCeiling;
}

const PREFETCH = 100;
const WINDOW = 1000;
// About the size of a task message: ids, type and a few parameters.
const BODY = Buffer.from(JSON.stringify({ id: randomUUID(), type: 'spelling-report', attempt: 1, params: { classId: 'c-123', term: 'autumn', pad: 'x'.repeat(120) } }));

/** Publishes with confirms until `ms` pass, keeping at most WINDOW unconfirmed; resolves with the count confirmed. */
async function publishFor(ch: ConfirmChannel, queue: string, ms: number): Promise<number> {
  let inFlight = 0;
  let confirmed = 0;
  let failure: Error | undefined;
  let wake: (() => void) | undefined;
  const until = performance.now() + ms;
  while (performance.now() < until && !failure) {
    if (inFlight >= WINDOW) {
      await new Promise<void>((resolve) => (wake = resolve));
      continue;
    }
    inFlight++;
    const writable = ch.sendToQueue(queue, BODY, { persistent: true, messageId: randomUUID() }, (err) => {
      inFlight--;
      if (err) failure = err instanceof Error ? err : new Error(String(err));
      else confirmed++;
      wake?.();
      wake = undefined;
    });
    if (!writable) await once(ch, 'drain');
  }
  await ch.waitForConfirms();
  if (failure) throw failure;
  return confirmed;
}

async function measureQueue(pubConn: ChannelModel, subConn: ChannelModel, kind: QueueKind, ms: number): Promise<QueueCeiling> {
  const queue = `bench-ceilings.${randomBytes(4).toString('hex')}.${kind}`;
  const pub = await pubConn.createConfirmChannel();
  await pub.assertQueue(queue, { durable: true, arguments: { 'x-queue-type': kind } });
  const sub = await subConn.createChannel();
  try {
    await sub.prefetch(PREFETCH);
    let acked = 0;
    let target = Infinity;
    let lastAck = 0;
    let allAcked!: () => void;
    const drained = new Promise<void>((resolve) => (allAcked = resolve));
    await sub.consume(queue, (msg) => {
      if (!msg) return;
      sub.ack(msg);
      acked++;
      lastAck = performance.now();
      if (acked >= target) allAcked();
    });
    const start = performance.now();
    const published = await publishFor(pub, queue, ms);
    const publishConfirmed = rate(published, start);
    target = published;
    if (acked >= target) allAcked();
    await Promise.race([drained, new Promise((_, reject) => setTimeout(() => reject(new Error(`${queue}: consumer did not drain in 30 s`)), 30_000).unref())]);
    return { queue, publishConfirmed, endToEnd: rate(acked, start, lastAck) };
  } finally {
    await sub.close();
    await pub.deleteQueue(queue);
    await pub.close();
  }
}

/** Measures a quorum and a classic durable scratch queue, one after the other, each deleted afterwards. */
export async function measureBroker(rabbitmqUrl: string, ms = 3000): Promise<BrokerCeilings> {
  // Separate connections for publisher and consumer, as the gateway and a worker would have.
  const pubConn = await amqp.connect(rabbitmqUrl);
  const subConn = await amqp.connect(rabbitmqUrl);
  try {
    const quorum = await measureQueue(pubConn, subConn, 'quorum', ms);
    const classic = await measureQueue(pubConn, subConn, 'classic', ms);
    return { messageBytes: BODY.length, prefetch: PREFETCH, confirmWindow: WINDOW, quorum, classic };
  } finally {
    await subConn.close();
    await pubConn.close();
  }
}

