import type { Socket } from 'node:net';
import { createLogger } from '@taskyard/logging';
import { waitFor } from '@taskyard/testing';
import { QueueConsumer, type BrokerConnection, type ConfirmPublisher } from '../src';
import { quorumQueue, startBrokerFixture, type BrokerFixture } from './broker-fixture';

// The frames a connection's channels write in one turn go to the socket in one write (a system call each before).
const logger = createLogger('coalesced-writes-test');
const QUEUE = 'coalesced-writes';
let fixture: BrokerFixture;
let broker: BrokerConnection;
let publisher: ConfirmPublisher;

beforeAll(async () => {
  fixture = await startBrokerFixture('coalesced-writes', logger, quorumQueue(QUEUE));
  ({ broker, publisher } = fixture);
});
afterAll(async () => fixture?.close());

/** Counts the socket writes of the broker connection (node's own stream methods, observed, not replaced). */
function countSocketWrites(): { writes: () => number; restore: () => void } {
  const socket = (broker.connection as unknown as { connection: { stream: Socket } }).connection.stream;
  const own = socket as unknown as { _write: (...a: unknown[]) => void; _writev: (...a: unknown[]) => void };
  const write = own._write;
  const writev = own._writev;
  let n = 0;
  own._write = function (this: Socket, ...a: unknown[]) {
    n++;
    return write.apply(this, a);
  };
  own._writev = function (this: Socket, ...a: unknown[]) {
    n++;
    return writev.apply(this, a);
  };
  return {
    writes: () => n,
    restore: () => {
      own._write = write;
      own._writev = writev;
    },
  };
}

test('20 publishes of one turn leave in one socket write, all confirmed and delivered in order', async () => {
  const counter = countSocketWrites();
  const confirmed = Promise.all(Array.from({ length: 20 }, (_, i) => publisher.publish('', QUEUE, i)));
  // Every frame is on the socket before the broker confirms it.
  await confirmed;
  const writes = counter.writes();
  counter.restore();
  expect(writes).toBe(1);

  const got: number[] = [];
  const consumer = new QueueConsumer(broker, { queue: QUEUE, prefetch: 50 }, async (m) => {
    got.push(JSON.parse(m.content.toString()) as number);
    return 'ack';
  }, logger);
  await consumer.start();
  await waitFor('all 20 delivered', () => got.length === 20);
  await consumer.stop();
  expect(got).toEqual(Array.from({ length: 20 }, (_, i) => i));
});
