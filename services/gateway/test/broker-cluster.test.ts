import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { startProcessStack, startRabbitCluster, testServers, waitFor, type ProcessStack, type RabbitCluster, type TestServers } from '@taskyard/testing';
import { statusPartitionQueue } from '@taskyard/contracts';
import { LONG_JOB_ENV, moreSubmitted, settledStatuses, SubmitStream } from './submit-stream';

/**
 * The product on a three-node RabbitMQ cluster of its own (the local stack's RABBITMQ_NODES=3, in a
 * private state): quorum queues replicated on every node, and a stream of tasks that keeps flowing while
 * the node the services are connected to is SIGKILLed and started again, twice, on two different nodes.
 */

let servers: TestServers;
let cluster: RabbitCluster;
let stack: ProcessStack;
const LIMITS = { diagnostic: { unfinishedPerOwner: 10_000, timeoutMs: 30_000, prefetch: 8 } };
/** The services' connection names (BrokerConnection's `name`): one connection each. */
const SERVICE_CONNECTIONS = /^(gateway@|worker:diagnostic$|status$)/;
const SERVICE_COUNT = 4; // gateway, status, two diagnostic workers

interface Connection {
  node: string;
  client_properties?: { connection_name?: string };
}
interface Queue {
  name: string;
  type: string;
  members?: string[];
  online?: string[];
}

beforeAll(async () => {
  const t0 = Date.now();
  servers = await testServers('broker-cluster');
  cluster = await startRabbitCluster(3);
  console.log(`cluster started in ${Date.now() - t0} ms`);
  stack = await startProcessStack({
    servers: {
      ...servers,
      rabbitmqUrl: cluster.amqpUrls[0],
      rabbitmqUrls: cluster.amqpUrls,
      rabbitmqManagementUrl: cluster.nodes[0].managementUrl.replace('//', '//guest:guest@'),
    },
    workers: { diagnostic: 2 },
    limits: LIMITS,
    env: LONG_JOB_ENV,
  });
  console.log(`cluster and stack started in ${Date.now() - t0} ms`);
  // Three RabbitMQ nodes booting side by side, then the stack: about a minute quiet, 223 s of the 240 s this
  // had in a CI run at load 25-30 (the cluster 172 s of it).
}, 420_000);
afterAll(async () => {
  await stack?.stop(5000);
  await cluster?.destroy();
  await servers?.cleanup();
});

const userKey = (): string => stack.keys.find((k) => k.role === 'user')!.key;

async function quorumQueues(): Promise<Queue[]> {
  return (await cluster.management<Queue[]>('/api/queues/%2F')).filter((q) => q.type === 'quorum');
}

/** The node every service is connected to, once they all are connected to the same one. */
function servicesNode(): Promise<string> {
  return waitFor('every service connected to one node', async () => {
    const ours = (await cluster.management<Connection[]>('/api/connections')).filter((c) => SERVICE_CONNECTIONS.test(c.client_properties?.connection_name ?? ''));
    const nodes = new Set(ours.map((c) => c.node));
    return ours.length === SERVICE_COUNT && nodes.size === 1 ? [...nodes][0] : undefined;
  }, { timeoutMs: 60_000, intervalMs: 250 });
}

/** Every quorum queue has all three members online again (a restarted node caught up). */
function replicasOnline(): Promise<true> {
  return waitFor('every quorum queue with three members online', async () => {
    const queues = await quorumQueues();
    return queues.length > 0 && queues.every((q) => q.online?.length === 3);
  }, { timeoutMs: 90_000, intervalMs: 500 });
}

async function finishedCounts(): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (const p of stack.processes.filter((s) => s.name === 'status')) {
    const text = await (await fetch(`http://127.0.0.1:${p.port}/metrics`)).text();
    for (const m of text.matchAll(/^taskyard_tasks_finished_total\{([^}]*)\} (\d+)/gm)) {
      const status = /status="([^"]+)"/.exec(m[1])?.[1] ?? '?';
      counts[status] = (counts[status] ?? 0) + Number(m[2]);
    }
  }
  return counts;
}

test('the quorum queues have a replica on each of the three nodes', async () => {
  const names = cluster.nodes.map((n) => n.name).sort();
  const running = (await cluster.management<{ name: string; running: boolean }[]>('/api/nodes')).filter((n) => n.running).map((n) => n.name).sort();
  expect(running).toEqual(names);
  const queues = await quorumQueues();
  expect(queues.map((q) => q.name)).toEqual(expect.arrayContaining(['tasks.diagnostic', statusPartitionQueue(0)]));
  for (const q of queues) expect({ queue: q.name, members: [...(q.members ?? [])].sort() }).toEqual({ queue: q.name, members: names });
});

test('tasks keep flowing while the services’ node is killed and restarted, then another node: every task succeeds once', async () => {
  const stream = new SubmitStream(stack.gatewayUrl, userKey(), 100);
  const killed: string[] = [];
  const t0 = Date.now();
  const mark = (what: string): void => void marks.push(`${((Date.now() - t0) / 1000).toFixed(1)}s ${what} (${stream.ids.length} submitted)`);
  const marks: string[] = [];
  try {
    await moreSubmitted(stream, 5);
    for (let round = 0; round < 2; round++) {
      const nodeName = await servicesNode();
      const node = cluster.nodes.find((n) => n.name === nodeName)!;
      expect(killed).not.toContain(nodeName);
      killed.push(nodeName);
      mark(`killing ${nodeName}`);
      await cluster.kill(node.index);
      // The services find another node while the killed one is down, and the stream goes on.
      expect(await servicesNode()).not.toBe(nodeName);
      mark('services reconnected');
      await moreSubmitted(stream, 10);
      await cluster.start(node.index);
      mark(`${nodeName} restarted`);
      await replicasOnline();
      mark('replicas online');
      await moreSubmitted(stream, 5);
    }
  } finally {
    await stream.stop();
    console.log(marks.join('\n'));
  }
  expect(stream.failure).toBeUndefined();
  expect(killed).toHaveLength(2);

  const byStatus = await settledStatuses(stack.gatewayUrl, userKey(), stream.ids);
  expect(byStatus).toEqual({ succeeded: stream.ids.length });
  expect(new Set(stream.ids).size).toBe(stream.ids.length);
  // Reaching a terminal status is counted once per task: none became terminal twice.
  await waitFor('the status service to count every task', async () => ((await finishedCounts()).succeeded ?? 0) >= stream.ids.length);
  expect(await finishedCounts()).toEqual({ succeeded: stream.ids.length });

  const report = { tasks: stream.ids.length, killed, longestClientPauseMs: stream.longestPauseMs, answered503: stream.answered503 };
  const dir = path.resolve(__dirname, '../../../test-artifacts');
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, 'broker-cluster-failover.json'), `${JSON.stringify(report, null, 2)}\n`);
  console.log(`broker failover: ${JSON.stringify(report)}`);
}, 300_000);
