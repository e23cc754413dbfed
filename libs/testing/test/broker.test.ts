import amqp, { type ChannelModel } from 'amqplib';
import { testServers, type TestServers } from '../src';

let servers: TestServers;
let conn: ChannelModel;

beforeAll(async () => {
  servers = await testServers('broker');
  conn = await amqp.connect(servers.rabbitmqUrl);
});
afterAll(async () => {
  await conn?.close();
  await servers?.cleanup();
});

test('publishes with publisher confirms to a durable queue and consumes with a manual ack', async () => {
  const ch = await conn.createConfirmChannel();
  await ch.assertQueue('durable-q', { durable: true, arguments: { 'x-queue-type': 'quorum' } });
  await new Promise<void>((resolve, reject) =>
    ch.sendToQueue('durable-q', Buffer.from('hello'), { persistent: true, messageId: 'm1' }, (err) => (err ? reject(err) : resolve())),
  );
  const got = await new Promise<amqp.ConsumeMessage>((resolve) => {
    void ch.consume('durable-q', (msg) => msg && resolve(msg), { noAck: false });
  });
  expect(got.content.toString()).toBe('hello');
  expect(got.properties.messageId).toBe('m1');
  ch.ack(got);
  await ch.close();
  const check = await conn.createChannel();
  expect((await check.checkQueue('durable-q')).messageCount).toBe(0);
  await check.close();
});

test('an unacked message comes back after the channel closes', async () => {
  const ch = await conn.createConfirmChannel();
  await ch.assertQueue('redeliver-q', { durable: true });
  ch.sendToQueue('redeliver-q', Buffer.from('again'), { persistent: true });
  await ch.waitForConfirms();
  const first = await new Promise<amqp.ConsumeMessage>((resolve) => {
    void ch.consume('redeliver-q', (msg) => msg && resolve(msg), { noAck: false });
  });
  expect(first.fields.redelivered).toBe(false);
  await ch.close(); // without ack

  const ch2 = await conn.createChannel();
  const second = await new Promise<amqp.ConsumeMessage>((resolve) => {
    void ch2.consume('redeliver-q', (msg) => msg && resolve(msg), { noAck: false });
  });
  expect(second.content.toString()).toBe('again');
  expect(second.fields.redelivered).toBe(true);
  ch2.ack(second);
  await ch2.close();
});
