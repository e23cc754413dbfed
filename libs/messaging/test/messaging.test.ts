import type { ConsumeMessage } from 'amqplib';
import { TASK_PRIORITIES, jobTypes, priorityQueueName, queueName, statusPartitionQueue, type TaskEvent, type TaskMessage } from '@taskyard/contracts';
import { createLogger } from '@taskyard/logging';
import { waitFor, type TestServers } from '@taskyard/testing';
import {
  BrokerConnection,
  BrokerUnavailable,
  ConfirmPublisher,
  nodeOf,
  QueueConsumer,
  declareStatusPartitions,
  declareTopology,
  parseJson,
  publishEvent,
  publishRetry,
  publishTask,
} from '../src';
import { startBrokerFixture, type BrokerFixture } from './broker-fixture';

const logger = createLogger('messaging-test');
let fixture: BrokerFixture;
let servers: TestServers;
let broker: BrokerConnection;
let publisher: ConfirmPublisher;

const task = (id: string): TaskMessage => ({
  id,
  type: 'diagnostic',
  owner: 'o',
  title: 't',
  params: {},
  attempt: 1,
  maxAttempts: 3,
  createdAt: new Date().toISOString(),
});

async function management(path: string, method = 'GET'): Promise<Response> {
  const base = new URL(servers.adminManagementUrl!);
  const auth = Buffer.from(`${base.username}:${base.password}`).toString('base64');
  return fetch(`${base.protocol}//${base.host}${path}`, { method, headers: { authorization: `Basic ${auth}` } });
}

beforeAll(async () => {
  fixture = await startBrokerFixture('messaging', logger, async (ch) => {
    await declareTopology(ch, jobTypes({ enableDiagnostic: true }).values());
    await declareStatusPartitions(ch, 4);
  });
  ({ servers, broker, publisher } = fixture);
});
afterAll(async () => fixture?.close());

test('declares a quorum queue per job type and routes a confirmed task to it', async () => {
  await publishTask(publisher, task('t-1'));
  const got: ConsumeMessage[] = [];
  const consumer = new QueueConsumer(broker, { queue: queueName('diagnostic'), prefetch: 5 }, async (m) => {
    got.push(m);
    return 'ack';
  }, logger);
  await consumer.start();
  await waitFor('the task message', () => got.length === 1);
  expect(got[0].properties.messageId).toBe('t-1');
  expect(parseJson<TaskMessage>(got[0].content).id).toBe('t-1');
  await consumer.stop();
  const q = await (await management(`/api/queues/${encodeURIComponent(servers.namespace)}/tasks.diagnostic`)).json();
  expect(q.type).toBe('quorum');
  expect(q.arguments['x-message-ttl']).toBe(14 * 24 * 3600 * 1000);
});

test('a retried attempt comes back to the queue of its priority after its back-off', async () => {
  const got = new Map<string, string[]>();
  const consumers = TASK_PRIORITIES.map((priority) => new QueueConsumer(broker, { queue: priorityQueueName('diagnostic', priority), prefetch: 5 }, async (m) => {
    got.set(priority, [...(got.get(priority) ?? []), parseJson<TaskMessage>(m.content).id]);
    return 'ack';
  }, logger));
  for (const c of consumers) await c.start();
  // The shortest back-off of the type (1 s): each lands in its priority's queue, the normal one too.
  for (const priority of TASK_PRIORITIES) await publishRetry(publisher, { ...task(`r-${priority}`), ...(priority === 'normal' ? {} : { priority }) }, 1_000);
  await waitFor('the three retries', () => [...got.values()].flat().length === 3, { timeoutMs: 15_000 });
  expect(Object.fromEntries(got)).toEqual({ high: ['r-high'], normal: ['r-normal'], low: ['r-low'] });
  for (const c of consumers) await c.stop();
});

test('events of one task always land in the same status partition', async () => {
  for (let i = 0; i < 10; i++) await publishEvent(publisher, { kind: 'heartbeat', taskId: 'same-task', type: 'diagnostic', runId: 'r', seq: i });
  const counts: number[] = [];
  await waitFor('events routed', async () => {
    counts.length = 0;
    for (let p = 0; p < 4; p++) {
      const q = await (await management(`/api/queues/${encodeURIComponent(servers.namespace)}/${statusPartitionQueue(p)}`)).json();
      counts.push(q.messages ?? 0);
    }
    return counts.reduce((a, b) => a + b, 0) === 10;
  });
  expect(counts.filter((c) => c > 0)).toEqual([10]);
  const idx = counts.findIndex((c) => c === 10);
  const seqs: number[] = [];
  const consumer = new QueueConsumer(broker, { queue: statusPartitionQueue(idx), prefetch: 50 }, async (m) => {
    seqs.push(parseJson<TaskEvent>(m.content).seq!);
    return 'ack';
  }, logger);
  await consumer.start();
  await waitFor('all events', () => seqs.length === 10);
  expect(seqs).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  await consumer.stop();
});

test('reconnects after the broker drops the connection, and publishing works again', async () => {
  const name = `messaging-${servers.namespace}`;
  const conns = await waitFor('the named connection', async () => {
    const list = (await (await management('/api/connections')).json()) as Array<{ name: string; client_properties: { connection_name?: string } }>;
    const mine = list.filter((c) => c.client_properties.connection_name === name);
    return mine.length ? mine : undefined;
  });
  const reconnected = new Promise((r) => broker.once('connected', r));
  for (const c of conns) await management(`/api/connections/${encodeURIComponent(c.name)}`, 'DELETE');
  await reconnected;
  await waitFor('publisher ready', () => publisher.ready);
  await expect(publishTask(publisher, task('t-2'))).resolves.toBeUndefined();
});

test('given several nodes, connects to the first that answers, and reconnects to another when its connection is lost', async () => {
  const closed = 'amqp://guest:guest@127.0.0.1:1';
  const name = `messaging-nodes-${servers.namespace}`;
  const nodes = new BrokerConnection([closed, servers.rabbitmqUrl], logger, name);
  try {
    await nodes.start({ once: true });
    expect(nodes.node).toBe(nodeOf(servers.rabbitmqUrl));
    // Lost: the next node in turn is the unreachable one, so the reconnect skips it and comes back here.
    const reconnected = new Promise((r) => nodes.once('connected', r));
    const conns = await waitFor('the named connection', async () => {
      const list = (await (await management('/api/connections')).json()) as Array<{ name: string; client_properties: { connection_name?: string } }>;
      const mine = list.filter((c) => c.client_properties.connection_name === name);
      return mine.length ? mine : undefined;
    });
    for (const c of conns) await management(`/api/connections/${encodeURIComponent(c.name)}`, 'DELETE');
    await reconnected;
    expect(nodes.node).toBe(nodeOf(servers.rabbitmqUrl));
  } finally {
    await nodes.close();
  }
  await expect(new BrokerConnection([closed], logger).start({ once: true })).rejects.toThrow();
});

test('a publish made while the connection is down is republished on the next connection when the publisher may wait, and fails fast when not', async () => {
  const name = `messaging-republish-${servers.namespace}`;
  const conn = new BrokerConnection(servers.rabbitmqUrl, logger, name);
  const patient = new ConfirmPublisher(conn, logger, { republishWithinMs: 20_000 });
  const hasty = new ConfirmPublisher(conn, logger);
  await patient.start();
  await hasty.start();
  await conn.start();
  try {
    const lost = new Promise((r) => conn.once('disconnected', r));
    const conns = await waitFor('the named connection', async () => {
      const list = (await (await management('/api/connections')).json()) as Array<{ name: string; client_properties: { connection_name?: string } }>;
      const mine = list.filter((c) => c.client_properties.connection_name === name);
      return mine.length ? mine : undefined;
    });
    for (const c of conns) await management(`/api/connections/${encodeURIComponent(c.name)}`, 'DELETE');
    await lost;
    expect(patient.ready).toBe(false);
    const fast = publishTask(hasty, task('t-hasty'));
    const waited = publishTask(patient, task('t-republished'));
    await expect(fast).rejects.toBeInstanceOf(BrokerUnavailable);
    await expect(waited).resolves.toBeUndefined();
    const got: string[] = [];
    const consumer = new QueueConsumer(broker, { queue: queueName('diagnostic'), prefetch: 10 }, async (m) => {
      got.push(String(m.properties.messageId));
      return 'ack';
    }, logger);
    await consumer.start();
    await waitFor('the republished task', () => got.includes('t-republished'));
    await consumer.stop();
    expect(got).not.toContain('t-hasty');
  } finally {
    await patient.close();
    await hasty.close();
    await conn.close();
  }
});
