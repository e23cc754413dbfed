import amqp from 'amqplib';
import { freePort, probeBroker, testServers, type TestServers } from '../src';
import { PROBE_DEADLINE_MS, probeQueueName } from '../src/broker-probe';

let servers: TestServers;

beforeAll(async () => {
  servers = await testServers('broker-probe'); // probes the broker itself: a broken one fails here
});
afterAll(async () => {
  await servers?.cleanup();
});

test('a healthy broker passes the probe, which leaves no queue behind', async () => {
  const queue = probeQueueName();
  await probeBroker(servers.rabbitmqUrl, PROBE_DEADLINE_MS, queue);
  const conn = await amqp.connect(servers.rabbitmqUrl);
  conn.on('error', () => undefined);
  try {
    const ch = await conn.createChannel();
    ch.on('error', () => undefined);
    await expect(ch.checkQueue(queue)).rejects.toThrow(/404/);
  } finally {
    await conn.close().catch(() => undefined);
  }
});

test('a vhost the broker does not have fails fast, saying access was refused', async () => {
  const url = new URL(servers.rabbitmqUrl);
  url.pathname = `/${servers.namespace}-missing`;
  await expect(probeBroker(url.toString())).rejects.toThrow(/vhost t-broker-probe-[0-9a-f]+-missing refused access/);
});

test('nothing listening on the port fails fast, saying the broker is not reachable', async () => {
  const url = new URL(servers.rabbitmqUrl);
  url.port = String(await freePort());
  await expect(probeBroker(url.toString(), 5000)).rejects.toThrow(/is not reachable/);
});
