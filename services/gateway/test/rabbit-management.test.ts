import { freePort, testServers, type TestServers } from '@taskyard/testing';
import { ManagementUnavailable } from '../src/errors';
import { RabbitManagement } from '../src/rabbit-management';

let servers: TestServers;
beforeAll(async () => (servers = await testServers('rabbit-management')));
afterAll(() => servers?.cleanup());

test('a management API that does not answer is passed over for the next node, which is asked first from then on', async () => {
  const down = `http://u:p@127.0.0.1:${await freePort()}`;
  const management = new RabbitManagement([down, servers.rabbitmqManagementUrl!], servers.rabbitmqUrl, 2000);
  expect(management.publicUrl).toBe(down.replace('u:p@', ''));
  expect(await management.queues()).toBeInstanceOf(Map);
  expect(management.publicUrl).toBe(new URL(servers.rabbitmqManagementUrl!).origin);
  expect(await management.queues()).toBeInstanceOf(Map);
});

test('when no node answers: ManagementUnavailable (503) saying so', async () => {
  const down = [`http://u:p@127.0.0.1:${await freePort()}`, `http://u:p@127.0.0.1:${await freePort()}`];
  const management = new RabbitManagement(down, servers.rabbitmqUrl, 2000);
  const failure = management.queues();
  await expect(failure).rejects.toBeInstanceOf(ManagementUnavailable);
  await expect(failure).rejects.toThrow(/^none of the 2 RabbitMQ management APIs answered; the last did not answer/);
  await expect(new RabbitManagement(down[0], servers.rabbitmqUrl, 2000).queues()).rejects.toThrow(/^the RabbitMQ management API did not answer/);
});
