import { randomBytes } from 'node:crypto';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { ServerUrls } from '@taskyard/config';
import { SERVICE_READY_MESSAGE } from '@taskyard/logging';
import { OwnClock } from './own-clock';
import { serverEnv } from './test-servers';

const REPO = path.resolve(__dirname, '../../..');

export interface ApiKey {
  key: string;
  principal: string;
  role: 'user' | 'admin' | 'processor';
  /** Seed 001 client spaces the key is bound to. */
  tags?: string[];
}

export interface StackOptions {
  servers: ServerUrls;
  /** Worker services to run, by service folder name, with how many processes of each. */
  workers?: Record<string, number>;
  /** Status service replicas (default 1). */
  statusReplicas?: number;
  /** TASKYARD_LIMITS: per-type limit overrides. */
  limits?: Record<string, Record<string, unknown>>;
  keys?: ApiKey[];
  env?: Record<string, string>;
  /**
   * Each process in a session of its own, as separate containers would be: with the kernel's autogroup
   * scheduling, processes of one session share one session's CPU share, so on a machine busy with other
   * sessions a second worker process in the same session adds no CPU (benchmarks of scaling need this).
   */
  ownSessions?: boolean;
  /** Where service output goes: 'ignore' (default), 'inherit', or an open file's descriptor (a log kept for CI). */
  stdio?: 'ignore' | 'inherit' | number;
  /** The checkout whose services run (default this one): a benchmark's A/B of two versions in one sitting. */
  repo?: string;
}

export interface ServiceProcess {
  name: string;
  port: number;
  child: ChildProcess;
}

export interface ProcessStack {
  gatewayUrl: string;
  keys: ApiKey[];
  processes: ServiceProcess[];
  /** Starts one more process of a service (a worker replica), with `env` over the stack's (e.g. its own TASKYARD_LIMITS). */
  add(name: string, env?: Record<string, string>): Promise<ServiceProcess>;
  /** SIGTERM to every process, SIGKILL after `graceMs`. */
  stop(graceMs?: number): Promise<void>;
}

export const DEFAULT_KEYS: ApiKey[] = [
  { key: 'test-user-key', principal: 'teacher-1', role: 'user' },
  { key: 'test-user-2-key', principal: 'teacher-2', role: 'user' },
  { key: 'test-admin-key', principal: 'admin-1', role: 'admin' },
];

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

/**
 * A service's start is about 1 s (worker, status) to 2 s (gateway) of CPU, mostly module loading; on this
 * loaded machine many times that in wall time, most of it waiting for a CPU (60 s of wall time was not
 * enough for a gateway started beside a browser test's stack at load 25). So the deadline counts the
 * service's own time (OwnClock): it fails a start that hangs or spins, not one that waited its turn.
 */
const START_OWN_TIMEOUT_MS = 60_000;
const START_CHECK_INTERVAL_MS = 1000;

/** Resolves when the child says it serves; rejects when it exits first or stays silent past `ownTimeoutMs` of its own time. */
function serviceReady(name: string, child: ChildProcess, ownTimeoutMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const clock = new OwnClock(child.pid ?? -1);
    const done = (err?: Error): void => {
      clearInterval(timer);
      child.off('message', onMessage);
      child.off('exit', onExit);
      if (err) reject(err);
      else resolve();
    };
    const onMessage = (m: unknown): void => void (m === SERVICE_READY_MESSAGE && done());
    const onExit = (code: number | null, signal: string | null): void => done(new Error(`${name} exited with ${code ?? signal} before it was ready`));
    const check = (): void => {
      const { ownMs, wallMs, waitedMs } = clock.elapsed();
      if (ownMs > ownTimeoutMs) done(new Error(`${name} was not ready within ${ownTimeoutMs} ms of its own time (${Math.round(wallMs)} ms since its start, ${Math.round(waitedMs)} ms of it waiting for a CPU)`));
    };
    const timer = setInterval(check, START_CHECK_INTERVAL_MS);
    child.on('message', onMessage);
    child.once('exit', onExit);
  });
}

/**
 * The whole product as separate processes (gateway, status service, workers) against the given servers,
 * each started as `npm start` starts it. For end-to-end and browser tests and benchmarks.
 */
export async function startProcessStack(opts: StackOptions): Promise<ProcessStack> {
  const keys = opts.keys ?? DEFAULT_KEYS;
  const dir = mkdtempSync(path.join(tmpdir(), 'taskyard-stack-'));
  const keysFile = path.join(dir, 'keys.json');
  writeFileSync(keysFile, JSON.stringify(keys));
  const env: Record<string, string> = {
    ...(process.env as Record<string, string>),
    ...serverEnv(opts.servers),
    TASKYARD_KEYS_FILE: keysFile,
    // A stack of its own: a fresh secret per stack, as each deployment generates one.
    CALLBACK_SECRET: randomBytes(32).toString('hex'),
    ENABLE_DIAGNOSTIC: 'true',
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    LOG_LEVEL: process.env.STACK_LOG_LEVEL ?? 'warn',
    HOST: '127.0.0.1',
    ...(opts.limits ? { TASKYARD_LIMITS: JSON.stringify(opts.limits) } : {}),
    ...opts.env,
  };
  delete env.JEST_WORKER_ID;
  const processes: ServiceProcess[] = [];

  const add = async (name: string, own: Record<string, string> = {}): Promise<ServiceProcess> => {
    const port = await freePort();
    const out = opts.stdio ?? 'ignore';
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
      cwd: path.join(opts.repo ?? REPO, 'services', name),
      env: { ...env, ...own, PORT: String(port), GATEWAY_PUBLIC_URL: `http://127.0.0.1:${port}` },
      // The IPC channel carries the service's "ready" (runServiceProcess), sent once its port listens.
      stdio: ['ignore', out, out, 'ipc'],
      detached: opts.ownSessions ?? false,
    });
    const proc = { name, port, child };
    processes.push(proc);
    await serviceReady(name, child, START_OWN_TIMEOUT_MS);
    child.disconnect();
    return proc;
  };

  const stop = async (graceMs = 10_000): Promise<void> => {
    await Promise.all(
      processes.map(
        (p) =>
          new Promise<void>((resolve) => {
            if (p.child.exitCode !== null || p.child.signalCode !== null) return resolve();
            const timer = setTimeout(() => p.child.kill('SIGKILL'), graceMs);
            p.child.once('exit', () => {
              clearTimeout(timer);
              resolve();
            });
            p.child.kill('SIGTERM');
          }),
      ),
    );
  };

  try {
    const starts: Promise<ServiceProcess>[] = [];
    for (let i = 0; i < (opts.statusReplicas ?? 1); i++) starts.push(add('status'));
    for (const [name, count] of Object.entries(opts.workers ?? {})) for (let i = 0; i < count; i++) starts.push(add(name));
    starts.push(add('gateway'));
    await Promise.all(starts);
  } catch (err) {
    await stop(1000);
    throw err;
  }
  const gateway = processes.find((p) => p.name === 'gateway')!;
  return { gatewayUrl: `http://127.0.0.1:${gateway.port}`, keys, processes, add, stop };
}

/** One JSON call to a stack's gateway with an API key: the status and the parsed body (`{}` when empty). */
export async function callGateway<T = Record<string, unknown>>(gatewayUrl: string, key: string, method: string, path: string, json?: unknown): Promise<{ status: number; body: T }> {
  const res = await fetch(`${gatewayUrl}${path}`, {
    method,
    headers: { authorization: `Bearer ${key}`, ...(json ? { 'content-type': 'application/json' } : {}) },
    body: json ? JSON.stringify(json) : undefined,
  });
  const text = await res.text();
  return { status: res.status, body: (text ? JSON.parse(text) : {}) as T };
}
