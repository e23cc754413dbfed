import { join } from 'node:path';
import { startRabbitCluster, testServers, type RabbitCluster, type TestServers } from '@taskyard/testing';
import { countBrokerMessages } from './broker-messages';
import { usePrivateBroker } from './parts';

/**
 * The run's servers: its own database and vhost on the servers the environment names (the shared ones, or a
 * private database through BENCH_DB_STATE), and with `privateBroker` a RabbitMQ node of its own (own node name,
 * ports and state, started by servers.sh as the shared one is) that every system of the run uses: other sessions'
 * load on the shared broker (up to 270 CPU-ms/s here) then neither slows the run nor blurs RabbitMQ's share.
 */
export async function benchServers(privateBroker: boolean, log: (line: string) => void): Promise<TestServers> {
  const servers = await testServers('bench-peers');
  if (!privateBroker) return servers;
  let broker: RabbitCluster;
  try {
    log('starting a private RabbitMQ node');
    broker = await startRabbitCluster(1);
  } catch (err) {
    await servers.cleanup();
    throw err;
  }
  usePrivateBroker(join(broker.state, 'rabbitmq'));
  const node = broker.nodes[0];
  countBrokerMessages(node.managementUrl.replace('//', '//guest:guest@'));
  return {
    ...servers,
    rabbitmqUrl: node.amqpUrl,
    rabbitmqManagementUrl: node.managementUrl.replace('//', '//guest:guest@'),
    async cleanup() {
      await broker.destroy();
      await servers.cleanup();
    },
  };
}
