import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { waitFor } from './wait-for';

const REPO = path.resolve(__dirname, '../../..');
const SERVERS_SH = path.join(REPO, 'deploy/local/servers.sh');
const run = promisify(execFile);

/** Where servers.sh puts node i's ports relative to node 1's (deploy/local/servers.sh, RABBITMQ_NODES). */
const PORT_SPAN = { ui: 10, prometheus: 20 } as const;
/** Base ports are drawn from here: node ports + 20,000 (distribution) and + 30,010 (CLI tools) stay below 65,536. */
const BASE_PORT_RANGE = { from: 30_000, to: 35_000 } as const;

export interface RabbitNode {
  /** 1-based, as servers.sh numbers them. */
  index: number;
  name: string;
  amqpUrl: string;
  managementUrl: string;
  /** `host:port` of its AMQP listener, as BrokerConnection and the management API's connections name it. */
  address: string;
}

export interface RabbitCluster {
  nodes: RabbitNode[];
  /** Its state folder (servers.sh's TASKYARD_STATE): node 1 runs with `-home <state>/rabbitmq`, node i with `-home <state>/rabbitmq-<i>`. */
  state: string;
  amqpUrls: string[];
  /** The environment that points deploy/local/servers.sh at this cluster (its state, node names and ports). */
  env: NodeJS.ProcessEnv;
  /** Runs rabbitmqctl against node i (1-based) with `args`, and answers its output. */
  ctl(index: number, ...args: string[]): Promise<string>;
  /** SIGKILLs node i (1-based) and waits until its process is gone. */
  kill(index: number): Promise<void>;
  /** Starts node i again (servers.sh rabbit-node-start) and waits until it serves. */
  start(index: number): Promise<void>;
  /** GET on the management API of the first node that answers. */
  management<T>(apiPath: string): Promise<T>;
  /** SIGKILLs every node and deletes the cluster's state (it is a test's own, nothing to keep). */
  destroy(): Promise<void>;
}

function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const srv = createServer();
    srv.once('error', () => resolve(false));
    srv.listen(port, '127.0.0.1', () => srv.close(() => resolve(true)));
  });
}

async function freeBase(nodes: number): Promise<number> {
  for (let tries = 0; tries < 50; tries++) {
    const base = BASE_PORT_RANGE.from + 50 * Math.floor((Math.random() * (BASE_PORT_RANGE.to - BASE_PORT_RANGE.from)) / 50);
    const ports = Array.from({ length: nodes }, (_, i) => [base + i, base + PORT_SPAN.ui + i, base + PORT_SPAN.prometheus + i, base + 20_000 + i]).flat();
    if ((await Promise.all(ports.map(portFree))).every(Boolean)) return base;
  }
  throw new Error('no free port range for a RabbitMQ cluster');
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * A RabbitMQ cluster of `nodes` nodes of its own, on loopback, started by the local stack's own script
 * (`RABBITMQ_NODES=<n> servers.sh rabbit-start`) in a private state folder, with node names and ports of
 * its own: the shared servers are never touched. About a minute to start on this machine, so a test file
 * starts one and shares it.
 */
export async function startRabbitCluster(nodes = 3): Promise<RabbitCluster> {
  const state = mkdtempSync(path.join(tmpdir(), 'taskyard-rabbit-cluster-'));
  const base = await freeBase(nodes);
  const node1 = `tycl${randomBytes(3).toString('hex')}@localhost`;
  const env = {
    ...process.env,
    RABBITMQ_NODES: String(nodes),
    TASKYARD_STATE: state,
    TASKYARD_RABBIT_NODE: node1,
    TASKYARD_AMQP_PORT: String(base),
    TASKYARD_RABBIT_UI_PORT: String(base + PORT_SPAN.ui),
    TASKYARD_RABBIT_PROM_PORT: String(base + PORT_SPAN.prometheus),
  };
  const members: RabbitNode[] = Array.from({ length: nodes }, (_, i) => ({
    index: i + 1,
    name: i === 0 ? node1 : node1.replace('@', `-${i + 1}@`),
    amqpUrl: `amqp://guest:guest@127.0.0.1:${base + i}`,
    managementUrl: `http://127.0.0.1:${base + PORT_SPAN.ui + i}`,
    address: `127.0.0.1:${base + i}`,
  }));
  const pidFile = (i: number): string => path.join(state, 'run', i === 1 ? 'rabbitmq.pid' : `rabbitmq-${i}.pid`);
  const pidOf = (i: number): number | undefined => {
    try {
      return Number(readFileSync(pidFile(i), 'utf8').trim()) || undefined;
    } catch {
      return undefined;
    }
  };
  const script = (...args: string[]): Promise<{ stdout: string }> => run('bash', [SERVERS_SH, ...args], { env, maxBuffer: 10 * 1024 * 1024 });

  const kill = async (i: number): Promise<void> => {
    const pid = pidOf(i);
    if (!pid || !alive(pid)) return;
    process.kill(pid, 'SIGKILL');
    await waitFor(`RabbitMQ node ${i} to die`, () => !alive(pid), { timeoutMs: 10_000, intervalMs: 50 });
  };
  const destroy = async (): Promise<void> => {
    for (const n of members) await kill(n.index).catch(() => undefined);
    rmSync(state, { recursive: true, force: true });
  };
  const auth = `Basic ${Buffer.from('guest:guest').toString('base64')}`;
  const management = async <T>(apiPath: string): Promise<T> => {
    let last: unknown;
    for (const n of members) {
      const pid = pidOf(n.index);
      if (!pid || !alive(pid)) continue;
      try {
        const res = await fetch(`${n.managementUrl}${apiPath}`, { headers: { authorization: auth }, signal: AbortSignal.timeout(5_000) });
        if (res.ok) return (await res.json()) as T;
        last = new Error(`${apiPath}: ${res.status}`);
      } catch (err) {
        last = err;
      }
    }
    throw last ?? new Error('no RabbitMQ node answers');
  };

  try {
    await script('rabbit-start');
  } catch (err) {
    await destroy();
    throw err;
  }
  return {
    nodes: members,
    state,
    amqpUrls: members.map((n) => n.amqpUrl),
    env,
    ctl: async (i, ...args) => (await script('rabbit-ctl', String(i), ...args)).stdout,
    kill,
    start: async (i) => void (await script('rabbit-node-start', String(i))),
    management,
    destroy,
  };
}
