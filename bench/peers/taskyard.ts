import { startProcessStack, waitFor, type ProcessStack, type TestServers } from '@taskyard/testing';
import { DEFAULT_WARM_UP_TASKS } from './warm-up';
import { TaskClient } from '../lifecycle/task-client';
import { measureCpuBound, type CpuBound } from './cpu-bound';
import { inParallel, measureEndToEnd, type EndToEnd } from './end-to-end';
import type { Rounds } from './rounds';
import { finishedCount, registerStack, stopProcess } from './stack-processes';
import { measureSubmitLatency, type SubmitLatency } from './submit-latency';

/**
 * Submits in flight at once by default, as a busy client's pool would (`--clients=N`). Celery's client
 * publishes without waiting for anything; each of these waits for its 202 (stored and confirmed).
 */
export const DEFAULT_SUBMIT_CLIENTS = 32;

/** The parts of the Taskyard run; `--only=` picks some. */
export const TASKYARD_PARTS = ['end-to-end', 'cpu-bound', 'submit'] as const;
export type TaskyardPart = (typeof TASKYARD_PARTS)[number];

export interface TaskyardResult {
  /** The end-to-end figures (1 worker): the rounds' medians when measured in rounds. */
  endToEnd?: EndToEnd;
  endToEndRounds?: Rounds;
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
  /** The CPU-bound type's prefetch (= its jobs at once per process). */
  cpuBoundPrefetch: number;
  /** The CPU-bound workers' START_DELAY_MS (`--cpu-start-delay=N`); none: their default. */
  cpuBoundStartDelayMs?: number;
  parts: ReadonlySet<TaskyardPart>;
  submitSeconds: number;
  /** Submitting clients (default DEFAULT_SUBMIT_CLIENTS). */
  clients?: number;
  /** No-op tasks run before anything is measured (default DEFAULT_WARM_UP_TASKS). */
  warmUp?: number;
  /** No-op tasks run at the start of each end-to-end round, before it is measured. */
  roundWarmUp?: number;
  /**
   * Runs Taskyard's end-to-end round (1 worker) as many times as it wants, between other systems' rounds, and
   * gives back the rounds; without it, one round.
   */
  alternate?: (round: () => Promise<EndToEnd>) => Promise<Rounds>;
  log: (line: string) => void;
}

type NoopRun = (tasks: number) => Parameters<typeof measureEndToEnd>[0];

/** The process stack with 1 diagnostic worker, warmed up, and how to run no-op tasks through it. */
async function startWarmStack(opts: Pick<TaskyardOptions, 'servers' | 'unfinishedPerOwner' | 'clients' | 'warmUp'>): Promise<{ stack: ProcessStack; client: TaskClient; user: string; noopRun: NoopRun; runNoops: (tasks: number) => Promise<void> }> {
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
  // Warmed up as it is measured (the same clients): the code paths of batches of that size get optimized too.
  const send = (tasks: number): Promise<void> => inParallel(tasks, opts.clients ?? DEFAULT_SUBMIT_CLIENTS, () => client.submit('diagnostic', {}));
  const runNoops = async (tasks: number): Promise<void> => {
    const base = await finishedCount(stack);
    await send(tasks);
    await waitFor('warm-up', async () => (await finishedCount(stack)) >= base + tasks, { timeoutMs: 300_000, intervalMs: 100 });
  };
  await runNoops(opts.warmUp ?? DEFAULT_WARM_UP_TASKS);
  const database = new URL(opts.servers.mongoUrl).pathname.slice(1);
  const noopRun: NoopRun = (tasks) => ({
    tasks,
    database,
    system: 'taskyard',
    // Celery's results may share the run's database (alternating rounds): not Taskyard's writes.
    collections: (c) => c !== 'celery_taskmeta',
    send: () => send(tasks),
    finished: () => finishedCount(stack),
  });
  return { stack, client, user, noopRun, runNoops };
}

/** Only the no-op tasks end to end on 1 worker process (`--only=taskyard`: one step's effect, measured quickly). */
export async function measureTaskyardNoop(opts: Pick<TaskyardOptions, 'servers' | 'unfinishedPerOwner' | 'tasks' | 'log' | 'clients' | 'warmUp'>): Promise<EndToEnd> {
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
export async function measureTaskyardSubmits(opts: Pick<TaskyardOptions, 'servers' | 'unfinishedPerOwner' | 'tasks' | 'log' | 'clients' | 'warmUp'>): Promise<EndToEnd> {
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
  const { stack, client, user, noopRun, runNoops } = await startWarmStack(opts);
  const result: TaskyardResult = {};
  try {
    if (opts.parts.has('end-to-end')) {
      const round = async (): Promise<EndToEnd> => {
        await runNoops(opts.roundWarmUp ?? 0);
        log(`taskyard: ${opts.tasks} no-op tasks end to end, 1 worker process`);
        return measureEndToEnd(noopRun(opts.tasks));
      };
      if (opts.alternate) {
        result.endToEndRounds = await opts.alternate(round);
        result.endToEnd = result.endToEndRounds.median;
      } else {
        result.endToEnd = await round();
      }
    }
    if (opts.parts.has('cpu-bound')) {
      result.cpuBound = await measureCpuBound(client, stack, {
        tasks: opts.cpuBoundTasks,
        cpuMsPerTask: opts.cpuMsPerTask,
        rounds: opts.cpuBoundRounds,
        prefetch: opts.cpuBoundPrefetch,
        startDelayMs: opts.cpuBoundStartDelayMs,
        unfinishedPerOwner: opts.unfinishedPerOwner,
        log,
      });
    }
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
