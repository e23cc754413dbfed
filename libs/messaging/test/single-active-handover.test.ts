import amqp from 'amqplib';
import { statusPartitionQueue } from '@taskyard/contracts';
import { createLogger } from '@taskyard/logging';
import { testServers, waitFor, type TestServers } from '@taskyard/testing';
import { BrokerConnection, QueueConsumer, declareExchanges, declareStatusPartitions } from '../src';

const logger = createLogger('handover-test');
let servers: TestServers;
let broker: BrokerConnection;
let conn: amqp.ChannelModel;
let ch: amqp.ConfirmChannel;

beforeAll(async () => {
  servers = await testServers('handover');
  broker = new BrokerConnection(servers.rabbitmqUrl, logger, `handover-test-${servers.namespace}`);
  await broker.start();
  conn = await amqp.connect(servers.rabbitmqUrl);
  ch = await conn.createConfirmChannel();
  await declareExchanges(ch);
  await declareStatusPartitions(ch, 1);
});
afterAll(async () => {
  await conn?.close();
  await broker?.close();
  await servers?.cleanup();
});

async function send(...bodies: string[]): Promise<void> {
  for (const b of bodies) ch.sendToQueue(statusPartitionQueue(0), Buffer.from(b), { persistent: true });
  await ch.waitForConfirms();
}

test('a stopping status replica hands its partition over only once the events it holds are settled (one writer per task)', async () => {
  const queue = statusPartitionQueue(0);
  const seen: string[] = [];
  let release!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  const first = new QueueConsumer(broker, { queue, prefetch: 10, singleActive: true }, async (m) => {
    seen.push(`first got ${m.content}`);
    await gate;
    seen.push(`first wrote ${m.content}`);
    return 'ack';
  }, logger);
  const second = new QueueConsumer(broker, { queue, prefetch: 10, singleActive: true }, async (m) => {
    seen.push(`second got ${m.content}`);
    return 'ack';
  }, logger);
  await first.start();
  await second.start();
  await send('1', '2');
  await waitFor('the active consumer holding both', () => seen.length === 2);

  const stopping = first.stop(10_000);
  await send('3');
  await waitFor('event 3 delivered', async () => (await ch.checkQueue(queue)).messageCount === 0);
  // Before the fix the stop cancelled first: the broker activated `second` at once and gave it event 3
  // while `first` was still folding 1 and 2 (two writers of one partition's tasks).
  expect(seen.filter((s) => s.startsWith('second'))).toEqual([]);

  release();
  await stopping;
  await waitFor('the next replica taking over', () => seen.includes('second got 3'));
  expect(seen).toEqual(['first got 1', 'first got 2', 'first wrote 1', 'first wrote 2', 'second got 3']);
  await second.stop();
});
