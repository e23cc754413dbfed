import { startProcessStack, waitFor, type ProcessStack, type TestServers } from '@taskyard/testing';
import { round } from '../lib/rate';
import { TaskClient } from '../lifecycle/task-client';
import { inParallel, measureEndToEnd, type EndToEnd } from './end-to-end';
import { ownProcess } from './parts';
import { measureSubmitLatency, type SubmitLatency } from './submit-latency';

/**
 * Submits in flight at once by default, as a busy client's pool would (`--clients=N`). Celery's client
 * publishes without waiting for anything; each of these waits for its 202 (stored and confirmed).
 */
export const DEFAULT_SUBMIT_CLIENTS = 32;

const partOfService = (name: string): string => (name === 'gateway' || name === 'status' ? name : 'worker');

function registerStack(stack: ProcessStack): void {
  for (const p of stack.processes) ownProcess(p.child.pid, partOfService(p.name));
}

/** The parts of the Taskyard run; `--only=` picks some. */
export const TASKYARD_PARTS = ['end-to-end', 'cpu-bound', 'submit'] as const;
export type TaskyardPart = (typeof TASKYARD_PARTS)[number];

export interface CpuBound {
  cpuMsPerTask: number;
  tasks: number;
  /** One figure per round (1 worker, then 2: rounds alternate on the same stack). */
  oneWorkerPerSec: number[];
  twoWorkersPerSec: number[];
  /** Each round's 2 / 1 ratio, and the ratio of the medians. */
  ratios: number[];
  rounds: { one: CpuBoundRound; two: CpuBoundRound }[];
  ratio: number;
}

export interface TaskyardResult {
  endToEnd?: EndToEnd;
  endToEndTwoWorkers?: EndToEnd;
  cpuBound?: CpuBound;
  submit?: SubmitLatency;
}

export interface TaskyardOptions {
  servers: TestServers;
  tasks: number;
  /** The type's unfinished-per-owner limit: 0 for a type without one. */
  unfinishedPerOwner: number;
  cpuBoundTasks: number;
  cpuMsPerTask: number;
  cpuBoundRounds: number;
  parts: ReadonlySet<TaskyardPart>;
  submitSeconds: number;
  /** Submitting clients (default DEFAULT_SUBMIT_CLIENTS). */
  clients?: number;
  log: (line: string) => void;
}

/** Tasks the status services have seen reach a terminal status, from their /metrics. */
async function finishedCount(stack: ProcessStack): Promise<number> {
  let n = 0;
  for (const p of stack.processes.filter((p) => p.name === 'status')) {
    // That one metric: the whole scrape, 10 times a second, cost the status service as much CPU as its folds.
    const one = await fetch(`http://127.0.0.1:${p.port}/metrics?name=taskyard_tasks_finished_total`);
    // A status service older than `?name=` answers 404: the whole scrape then (comparing with an older commit).
    const text = one.ok ? await one.text() : await (await fetch(`http://127.0.0.1:${p.port}/metrics`)).text();
    for (const m of text.matchAll(/^taskyard_tasks_finished_total\{[^}]*\} (\d+)/gm)) n += Number(m[1]);
  }
  return n;
}


/** Jobs each worker process has run so far, from its /metrics (by port). */
async function jobsByWorker(stack: ProcessStack): Promise<Map<number, number>> {
  const counts = new Map<number, number>();
  for (const p of stack.processes.filter((p) => p.name === 'diagnostic')) {
    const text = await (await fetch(`http://127.0.0.1:${p.port}/metrics`)).text();
    counts.set(p.port, [...text.matchAll(/^taskyard_jobs_total\{[^}]*\} (\d+)/gm)].reduce((n, m) => n + Number(m[1]), 0));
  }
  return counts;
}

interface CpuBoundRound {
  perSec: number;
  /** Seconds until every task was accepted, and until the last finished. */
  submittedAfterS: number;
  finishedAfterS: number;
  /** Tasks each worker process ran. */
  split: number[];
}

async function cpuBoundRate(client: TaskClient, stack: ProcessStack, tasks: number, cpuMs: number): Promise<CpuBoundRound> {
  const base = await finishedCount(stack);
  const jobs0 = await jobsByWorker(stack);
  const started = performance.now();
  await inParallel(tasks, 8, () => client.submit('diagnostic', { cpuMs }));
  const submitted = performance.now();
  await waitFor(`${tasks} CPU-bound tasks`, async () => (await finishedCount(stack)) >= base + tasks, { timeoutMs: 600_000, intervalMs: 100 });
  const finished = performance.now();
  const jobs1 = await jobsByWorker(stack);
  return {
    perSec: round(tasks / ((finished - started) / 1000), 2),
    submittedAfterS: round((submitted - started) / 1000, 2),
    finishedAfterS: round((finished - started) / 1000, 2),
    split: [...jobs1].map(([port, n]) => n - (jobs0.get(port) ?? 0)),
  };
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** The CPU-bound type on 1 and then 2 worker processes, `rounds` times (the second process stopped between rounds). */
async function measureCpuBound(client: TaskClient, stack: ProcessStack, opts: TaskyardOptions): Promise<CpuBound> {
  const rounds: CpuBound['rounds'] = [];
  for (let r = 0; r < opts.cpuBoundRounds; r++) {
    opts.log(`taskyard: CPU-bound tasks (${opts.cpuMsPerTask} ms each), 1 worker process (round ${r + 1})`);
    const one = await cpuBoundRate(client, stack, opts.cpuBoundTasks, opts.cpuMsPerTask);
    const second = await stack.add('diagnostic');
    registerStack(stack);
    opts.log(`taskyard: CPU-bound tasks, 2 worker processes (round ${r + 1})`);
    const two = await cpuBoundRate(client, stack, opts.cpuBoundTasks, opts.cpuMsPerTask);
    await stopProcess(stack, second);
    rounds.push({ one, two });
  }
  const one = rounds.map((r) => r.one.perSec);
  const two = rounds.map((r) => r.two.perSec);
  const ratios = one.map((o, i) => round(two[i] / o, 2));
  return { cpuMsPerTask: opts.cpuMsPerTask, tasks: opts.cpuBoundTasks, oneWorkerPerSec: one, twoWorkersPerSec: two, ratios, ratio: round(median(two) / median(one), 2), rounds };
}

/** Stops one process of the stack and forgets it. */
async function stopProcess(stack: ProcessStack, p: ProcessStack['processes'][number]): Promise<void> {
  await new Promise<void>((resolve) => {
    if (p.child.exitCode !== null || p.child.signalCode !== null) return resolve();
    p.child.once('exit', () => resolve());
    p.child.kill('SIGTERM');
  });
  stack.processes.splice(stack.processes.indexOf(p), 1);
}

type NoopRun = (tasks: number) => Parameters<typeof measureEndToEnd>[0];

/** The process stack with 1 diagnostic worker, warmed up, and how to run no-op tasks through it. */
async function startWarmStack(opts: Pick<TaskyardOptions, 'servers' | 'unfinishedPerOwner' | 'clients'>): Promise<{ stack: ProcessStack; client: TaskClient; user: string; noopRun: NoopRun }> {
  const stack = await startProcessStack({
    servers: opts.servers,
    workers: { diagnostic: 1 },
    limits: { diagnostic: { unfinishedPerOwner: opts.unfinishedPerOwner, prefetch: 64 } },
    // Separate containers in a deployment; here, without it, 2 worker processes split one session's CPU share.
    ownSessions: true,
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
    send: () => inParallel(tasks, opts.clients ?? DEFAULT_SUBMIT_CLIENTS, () => client.submit('diagnostic', {})),
    finished: () => finishedCount(stack),
  });
  return { stack, client, user, noopRun };
}

/** Only the no-op tasks end to end on 1 worker process (`--only=taskyard`: one step's effect, measured quickly). */
export async function measureTaskyardNoop(opts: Pick<TaskyardOptions, 'servers' | 'unfinishedPerOwner' | 'tasks' | 'log' | 'clients'>): Promise<EndToEnd> {
  const { stack, client, noopRun } = await startWarmStack(opts);
  try {
    opts.log(`taskyard: ${opts.tasks} no-op tasks end to end, 1 worker process`);
    return await measureEndToEnd(noopRun(opts.tasks));
  } finally {
    client.close();
    await stack.stop(5000);
  }
}

/**
 * Submits alone (`--only=submits`): the worker stopped after the warm-up, `tasks` no-op submits by the same
 * clients, CPU by part per accepted submit: the submit's (gateway's insert) share of the end-to-end figure,
 * so what is left of it is the worker's and the status service's (their update).
 */
export async function measureTaskyardSubmits(opts: Pick<TaskyardOptions, 'servers' | 'unfinishedPerOwner' | 'tasks' | 'log' | 'clients'>): Promise<EndToEnd> {
  const { stack, client, noopRun } = await startWarmStack(opts);
  try {
    for (const p of stack.processes.filter((p) => p.name === 'diagnostic')) await stopProcess(stack, p);
    opts.log(`taskyard: ${opts.tasks} no-op submits, no worker`);
    let accepted = 0;
    const run = noopRun(opts.tasks);
    return await measureEndToEnd({
      ...run,
      send: () => inParallel(opts.tasks, opts.clients ?? DEFAULT_SUBMIT_CLIENTS, async () => {
        await client.submit('diagnostic', {});
        accepted++;
      }),
      finished: async () => accepted,
    });
  } finally {
    client.close();
    await stack.stop(5000);
  }
}

/** Taskyard: no-op tasks end to end (1 then 2 worker processes), a CPU-bound type on 1 and 2, and submit alone (`parts`). */
export async function measureTaskyard(opts: TaskyardOptions): Promise<TaskyardResult> {
  const { log } = opts;
  const { stack, client, user, noopRun } = await startWarmStack(opts);
  const result: TaskyardResult = {};
  try {
    if (opts.parts.has('end-to-end')) {
      log(`taskyard: ${opts.tasks} no-op tasks end to end, 1 worker process`);
      result.endToEnd = await measureEndToEnd(noopRun(opts.tasks));
    }
    if (opts.parts.has('cpu-bound')) result.cpuBound = await measureCpuBound(client, stack, opts);
    if (opts.parts.has('end-to-end')) {
      const second = await stack.add('diagnostic');
      registerStack(stack);
      log(`taskyard: ${opts.tasks} no-op tasks end to end, 2 worker processes`);
      result.endToEndTwoWorkers = await measureEndToEnd(noopRun(opts.tasks));
      await stopProcess(stack, second);
    }
    if (opts.parts.has('submit')) {
      // Submit alone: workers stopped, so the gateway and the database do nothing else.
      for (const p of stack.processes.filter((p) => p.name === 'diagnostic')) await stopProcess(stack, p);
      result.submit = await measureSubmitLatency(stack, user, { seconds: opts.submitSeconds, log });
    }
    return result;
  } finally {
    client.close();
    await stack.stop(5000);
  }
}
