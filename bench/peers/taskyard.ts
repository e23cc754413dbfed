import { startProcessStack, waitFor, type ProcessStack, type TestServers } from '@taskyard/testing';
import { round } from '../lib/rate';
import { openLoop, type OpenLoopResult } from '../lifecycle/open-loop';
import { cannon } from '../lifecycle/saturate';
import { TaskClient } from '../lifecycle/task-client';
import { inParallel, measureEndToEnd, type EndToEnd } from './end-to-end';
import { ownProcess } from './parts';

/** Submits in flight at once, as a busy client's pool would. */
const SUBMIT_CONCURRENCY = 32;

const partOfService = (name: string): string => (name === 'gateway' || name === 'status' ? name : 'worker');

function registerStack(stack: ProcessStack): void {
  for (const p of stack.processes) ownProcess(p.child.pid, partOfService(p.name));
}

export interface TaskyardResult {
  endToEnd: EndToEnd;
  endToEndTwoWorkers: EndToEnd;
  cpuBound: { cpuMsPerTask: number; tasks: number; oneWorkerPerSec: number; twoWorkersPerSec: number; ratio: number };
  submit: { sustainedAcceptedPerSec: number; non2xx: number; latencyAtHalfRate: OpenLoopResult & { connections: number } };
}

export interface TaskyardOptions {
  servers: TestServers;
  tasks: number;
  /** The type's unfinished-per-owner limit: 0 for a type without one. */
  unfinishedPerOwner: number;
  cpuBoundTasks: number;
  cpuMsPerTask: number;
  submitSeconds: number;
  log: (line: string) => void;
}

/** Tasks the status services have seen reach a terminal status, from their /metrics. */
async function finishedCount(stack: ProcessStack): Promise<number> {
  let n = 0;
  for (const p of stack.processes.filter((p) => p.name === 'status')) {
    const text = await (await fetch(`http://127.0.0.1:${p.port}/metrics`)).text();
    for (const m of text.matchAll(/^taskyard_tasks_finished_total\{[^}]*\} (\d+)/gm)) n += Number(m[1]);
  }
  return n;
}


async function cpuBoundRate(client: TaskClient, stack: ProcessStack, tasks: number, cpuMs: number): Promise<number> {
  const base = await finishedCount(stack);
  const started = performance.now();
  await inParallel(tasks, 8, () => client.submit('diagnostic', { cpuMs }));
  await waitFor(`${tasks} CPU-bound tasks`, async () => (await finishedCount(stack)) >= base + tasks, { timeoutMs: 600_000, intervalMs: 100 });
  return round(tasks / ((performance.now() - started) / 1000), 2);
}

type NoopRun = (tasks: number) => Parameters<typeof measureEndToEnd>[0];

/** The process stack with 1 diagnostic worker, warmed up, and how to run no-op tasks through it. */
async function startWarmStack(opts: Pick<TaskyardOptions, 'servers' | 'unfinishedPerOwner'>): Promise<{ stack: ProcessStack; client: TaskClient; user: string; noopRun: NoopRun }> {
  const stack = await startProcessStack({
    servers: opts.servers,
    workers: { diagnostic: 1 },
    limits: { diagnostic: { unfinishedPerOwner: opts.unfinishedPerOwner, prefetch: 64 } },
  });
  registerStack(stack);
  const user = stack.keys.find((k) => k.role === 'user')!.key;
  const client = new TaskClient(stack.gatewayUrl, user);
  await inParallel(50, 8, () => client.submit('diagnostic', {})); // warm-up
  await waitFor('warm-up', async () => (await finishedCount(stack)) >= 50, { timeoutMs: 120_000, intervalMs: 100 });
  const database = new URL(opts.servers.mongoUrl).pathname.slice(1);
  const noopRun: NoopRun = (tasks) => ({
    tasks,
    database,
    send: () => inParallel(tasks, SUBMIT_CONCURRENCY, () => client.submit('diagnostic', {})),
    finished: () => finishedCount(stack),
  });
  return { stack, client, user, noopRun };
}

/** Only the no-op tasks end to end on 1 worker process (`--only=taskyard`: one step's effect, measured quickly). */
export async function measureTaskyardNoop(opts: Pick<TaskyardOptions, 'servers' | 'unfinishedPerOwner' | 'tasks' | 'log'>): Promise<EndToEnd> {
  const { stack, noopRun } = await startWarmStack(opts);
  try {
    opts.log(`taskyard: ${opts.tasks} no-op tasks end to end, 1 worker process`);
    return await measureEndToEnd(noopRun(opts.tasks));
  } finally {
    await stack.stop(5000);
  }
}

/** Taskyard: no-op tasks end to end (1 then 2 worker processes), a CPU-bound type on 1 and 2, and submit alone. */
export async function measureTaskyard(opts: TaskyardOptions): Promise<TaskyardResult> {
  const { log } = opts;
  const { stack, client, user, noopRun } = await startWarmStack(opts);
  try {
    log(`taskyard: ${opts.tasks} no-op tasks end to end, 1 worker process`);
    const endToEnd = await measureEndToEnd(noopRun(opts.tasks));
    log(`taskyard: CPU-bound tasks (${opts.cpuMsPerTask} ms each), 1 worker process`);
    const one = await cpuBoundRate(client, stack, opts.cpuBoundTasks, opts.cpuMsPerTask);
    await stack.add('diagnostic');
    registerStack(stack);
    log('taskyard: CPU-bound tasks, 2 worker processes');
    const two = await cpuBoundRate(client, stack, opts.cpuBoundTasks, opts.cpuMsPerTask);
    log(`taskyard: ${opts.tasks} no-op tasks end to end, 2 worker processes`);
    const endToEndTwoWorkers = await measureEndToEnd(noopRun(opts.tasks));

    // Submit alone: workers stopped, so the gateway and the database do nothing else.
    for (const p of stack.processes.filter((p) => p.name === 'diagnostic')) p.child.kill('SIGTERM');
    log(`taskyard: submit saturation (50 connections, ${opts.submitSeconds} s)`);
    const saturation = await cannon(stack.gatewayUrl, user, { connections: 50, duration: opts.submitSeconds });
    const sustained = round(saturation['2xx'] / (saturation.duration || 1), 1);
    const rate = Math.max(1, Math.round(sustained / 2));
    log(`taskyard: submit latency, 1,000 open connections offering ${rate}/s`);
    const latency = await openLoop({
      url: `${stack.gatewayUrl}/v1/tasks`,
      headers: { authorization: `Bearer ${user}`, 'content-type': 'application/json' },
      body: JSON.stringify({ type: 'diagnostic', params: {} }),
      ratePerSec: rate,
      seconds: opts.submitSeconds,
      connections: 1000,
    });
    return {
      endToEnd,
      endToEndTwoWorkers,
      cpuBound: { cpuMsPerTask: opts.cpuMsPerTask, tasks: opts.cpuBoundTasks, oneWorkerPerSec: one, twoWorkersPerSec: two, ratio: round(two / one, 2) },
      submit: { sustainedAcceptedPerSec: sustained, non2xx: saturation.non2xx, latencyAtHalfRate: { connections: 1000, ...latency } },
    };
  } finally {
    await stack.stop(5000);
  }
}
