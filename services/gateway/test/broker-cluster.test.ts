import { randomUUID } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { startProcessStack, startRabbitCluster, testServers, waitFor, type ProcessStack, type RabbitCluster, type TestServers } from '@taskyard/testing';
import { statusPartitionQueue } from '@taskyard/contracts';

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

/**
 * A client submitting tasks one after another (each with its own Idempotency-Key, retried on 503 with the
 * same key) and reading the previous one back. Records the longest time a submit took to be accepted.
 */
class SubmitStream {
  readonly ids: string[] = [];
  longestPauseMs = 0;
  answered503 = 0;
  failure?: Error;
  private running = true;
  private readonly done: Promise<void>;

  constructor(private readonly gatewayUrl: string, private readonly gapMs: number) {
    this.done = this.loop().catch((err: Error) => void (this.failure = err));
  }

  private async call(method: string, url: string, init: { body?: unknown; headers?: Record<string, string> } = {}): Promise<{ status: number; body: Record<string, unknown> }> {
    const res = await fetch(`${this.gatewayUrl}${url}`, {
      method,
      headers: { authorization: `Bearer ${userKey()}`, ...(init.body ? { 'content-type': 'application/json' } : {}), ...init.headers },
      body: init.body ? JSON.stringify(init.body) : undefined,
      signal: AbortSignal.timeout(30_000),
    });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  }

  /** A 503 is allowed, with the error body; anything else but success ends the stream with a failure. */
  private accept(res: { status: number; body: Record<string, unknown> }, ok: number[]): boolean {
    if (ok.includes(res.status)) return true;
    const error = res.body.error as { code?: unknown; message?: unknown } | undefined;
    if (res.status !== 503 || typeof error?.code !== 'string' || typeof error.message !== 'string') {
      throw new Error(`gateway answered ${res.status} ${JSON.stringify(res.body)}`);
    }
    this.answered503 += 1;
    return false;
  }

  private async loop(): Promise<void> {
    while (this.running) {
      const started = Date.now();
      const key = randomUUID();
      for (;;) {
        const res = await this.call('POST', '/v1/tasks', { body: { type: 'diagnostic', title: `stream ${this.ids.length}`, params: { sleepMs: 300 } }, headers: { 'idempotency-key': key } });
        if (this.accept(res, [200, 202])) {
          this.ids.push(String(res.body.id));
          break;
        }
        await new Promise((r) => setTimeout(r, 100));
      }
      for (;;) {
        if (this.accept(await this.call('GET', `/v1/tasks/${this.ids[this.ids.length - 1]}`), [200])) break;
        await new Promise((r) => setTimeout(r, 100));
      }
      this.longestPauseMs = Math.max(this.longestPauseMs, Date.now() - started);
      await new Promise((r) => setTimeout(r, this.gapMs));
    }
  }

  async stop(): Promise<void> {
    this.running = false;
    await this.done;
  }
}

/** Waits until the stream has had `count` more tasks accepted (or fails with the stream's failure). */
function moreSubmitted(stream: SubmitStream, count: number): Promise<true> {
  const target = stream.ids.length + count;
  return waitFor(`${count} more submits`, () => {
    if (stream.failure) throw stream.failure;
    return stream.ids.length >= target;
  }, { timeoutMs: 60_000, intervalMs: 50 });
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
  const stream = new SubmitStream(stack.gatewayUrl, 100);
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

  const statuses = new Map<string, string>();
  await waitFor('every task finished', async () => {
    for (const id of stream.ids.filter((i) => !['succeeded', 'failed', 'cancelled'].includes(statuses.get(i) ?? ''))) {
      const res = await fetch(`${stack.gatewayUrl}/v1/tasks/${id}`, { headers: { authorization: `Bearer ${userKey()}` } });
      statuses.set(id, String(((await res.json()) as { status: string }).status));
    }
    return stream.ids.every((id) => statuses.get(id) === 'succeeded') || ([...statuses.values()].some((s) => s === 'failed' || s === 'cancelled') && 'settled');
  }, { timeoutMs: 120_000, intervalMs: 500 });
  const byStatus: Record<string, number> = {};
  for (const s of statuses.values()) byStatus[s] = (byStatus[s] ?? 0) + 1;
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
