import type { Channel } from 'amqplib';
import type { Logger } from '@taskyard/logging';
import { testServers, type TestServers } from '@taskyard/testing';
import { BrokerConnection, ConfirmPublisher } from '../src';

/** A test file's broker: its own vhost, one connection whose topology `declare` sets up, a started confirm publisher. */
export interface BrokerFixture {
  servers: TestServers;
  broker: BrokerConnection;
  publisher: ConfirmPublisher;
  close(): Promise<void>;
}

/** Declares one durable quorum queue: what a test that publishes to and consumes from a single queue needs. */
export const quorumQueue =
  (queue: string) =>
  async (ch: Channel): Promise<void> => {
    await ch.assertQueue(queue, { durable: true, arguments: { 'x-queue-type': 'quorum' } });
  };

/** Starts the fixture as the services start theirs: topology on every connect, publisher before the connection. */
export async function startBrokerFixture(name: string, logger: Logger, declare: (ch: Channel) => Promise<void>): Promise<BrokerFixture> {
  const servers = await testServers(name);
  const broker = new BrokerConnection(servers.rabbitmqUrl, logger, `${name}-${servers.namespace}`);
  await broker.onConnect(async (conn) => {
    const ch = await conn.createChannel();
    await declare(ch);
    await ch.close();
  });
  const publisher = new ConfirmPublisher(broker, logger);
  await publisher.start();
  await broker.start();
  const close = async (): Promise<void> => {
    await broker.close();
    await servers.cleanup();
  };
  return { servers, broker, publisher, close };
}
