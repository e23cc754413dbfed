import { createLogger } from '@taskyard/logging';
import { waitFor } from '@taskyard/testing';
import { QueueConsumer, type BrokerConnection, type ConfirmPublisher, type Settlement } from '../src';
import { quorumQueue, startBrokerFixture, type BrokerFixture } from './broker-fixture';

// The acks of a turn go as one ack with `multiple`: it must never cover a message still in hand.
const logger = createLogger('coalesced-acks-test');
const QUEUE = 'coalesced-acks';
let fixture: BrokerFixture;
let broker: BrokerConnection;
let publisher: ConfirmPublisher;

beforeAll(async () => {
  fixture = await startBrokerFixture('coalesced-acks', logger, quorumQueue(QUEUE));
  ({ broker, publisher } = fixture);
});
afterAll(async () => fixture?.close());

const numberOf = (content: Buffer): number => JSON.parse(content.toString()) as number;

test('messages settled around one still in hand are acked, dropped or requeued each as told, and the one in hand goes back to the queue', async () => {
  for (let n = 0; n < 8; n++) await publisher.publish('', QUEUE, n);
  const settled: number[] = [];
  let release!: () => void;
  const held = new Promise<Settlement>((resolve) => (release = () => resolve('ack')));
  const first = new QueueConsumer(broker, { queue: QUEUE, prefetch: 20 }, async (m) => {
    const n = numberOf(m.content);
    if (n === 2) return held;
    settled.push(n);
    return n === 5 ? 'drop' : 'ack';
  }, logger);
  await first.start();
  await waitFor('all but the held one settled', () => settled.length === 7);
  // Stopping gives the held message 50 ms, then closes the channel: it goes back to the queue unacked.
  await first.stop(50);
  release();

  const later: number[] = [];
  const second = new QueueConsumer(broker, { queue: QUEUE, prefetch: 20 }, async (m) => {
    later.push(numberOf(m.content));
    return 'ack';
  }, logger);
  await second.start();
  await publisher.publish('', QUEUE, 99);
  await waitFor('the marker published after', () => later.includes(99));
  await second.stop();
  expect(later).toEqual([2, 99]);
});
