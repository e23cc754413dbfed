import { loadavg } from 'node:os';
import type { ProcessStack } from '@taskyard/testing';
import { CLOCK_MARGIN_MS } from '@taskyard/worker';
import { round } from '../lib/rate';
import { cpuBetween } from '../lifecycle/cpu-accounting';
import type { TaskClient } from '../lifecycle/task-client';
import { inParallel } from './end-to-end';
import { threadTime, type ThreadTime } from './core-wait';
import { idleCpuMsPerSec, perTaskBeyondIdle, type CpuMsPerSec } from './idle-cpu';
import { cpuByPart, machineTicks, processCpuSeconds } from './parts';
import { countsPerTask, finishedCount, jobsByWorker, registerStack, statusCounts, stopProcess, type StatusCounts } from './stack-processes';

export interface CpuBoundOptions {
  tasks: number;
  cpuMsPerTask: number;
  rounds: number;
  /**
   * The CPU-bound type's prefetch, which is also its jobs at once per worker process: 1 as a CPU-bound type is
   * configured (one thread runs one job's CPU at a time); 64 is the no-op run's setting (`--cpu-prefetch=64`).
   */
  prefetch: number;
  /** The CPU-bound workers' START_DELAY_MS (how long a run's `started` waits to ride on its outcome); none: their default. */
  startDelayMs?: number;
  /** The no-op type's limits, given back to the worker started after the rounds. */
  unfinishedPerOwner: number;
  log: (line: string) => void;
}

/** One worker process over a round: what it ran, the CPU it got, and when it last was busy. */
export interface CpuBoundWorker {
  tasks: number;
  cpuS: number;
  /** Seconds after the first submit by which it had used all but 50 ms of its CPU of the round (its work done). */
  busyUntilS: number;
  /**
   * Its JavaScript thread until then (scheduler statistics): seconds on a core, seconds runnable but waiting for
   * one (the machine's load, ours included), and the rest, idle: waiting for its next message, a confirm, the
   * first submit. Idle is the system's (dispatch); the wait for a core is the machine's.
   */
  runS: number;
  coreWaitS: number;
  idleS: number;
}

export interface CpuBoundRound {
  /** Tasks over the makespan: from the first submit to the last task's end as its record says (`finishedAt`). */
  perSec: number;
  /** Seconds after the first submit until every task was accepted, and until the status service was seen counting the last finished (asked every 500 ms). */
  submittedAfterS: number;
  finishedAfterS: number;
  /** From the tasks' records, seconds after the first submit: the first start, the last start and the last end (the makespan). */
  firstStartAfterS: number;
  lastStartAfterS: number;
  lastEndAfterS: number;
  /** One worker running one job at a time: the mean time between a task's end and the next task's start (the slot's turnaround), ms. */
  meanTurnaroundMs?: number;
  /** Tasks each worker process ran (kept for older results' readers). */
  split: number[];
  workers: CpuBoundWorker[];
  /**
   * The round had no worker waited for a core: the latest of each worker's busy-until less its wait for a core
   * (its run and its idle kept). Compared between 1 and 2 workers it is the system's scaling (dispatch, tail,
   * overhead per job) without the machine's load; it still counts the cores our own other parts took.
   */
  withoutCoreWaitS: number;
  /** CPU seconds of every other part of ours and of the shared servers over the round. */
  othersCpuS: Record<string, number>;
  /** Each part's CPU ms per second with the same stack idle, measured just before the round (IDLE_SAMPLE_MS). */
  idleCpuMsPerSec: CpuMsPerSec;
  /**
   * Each part's CPU ms per task beyond its idle rate over the round (the worker's without the job's own CPU):
   * what the platform spends per CPU-bound task, apart from what it spends whether or not tasks run.
   */
  perTaskCpuMs: Record<string, number>;
  /**
   * What the status service did per task over the round, from its counters: events folded by kind (a long job's
   * `started` alone, its heartbeat check's timer, list prunes) and its task reads and writes.
   */
  statusPerTask: StatusCounts;
  /** Both cores' busy share over the round (everyone's load), and the 1-minute load average at its end. */
  machineBusyShare: number;
  loadAverage: number;
}

export interface CpuBound {
  cpuMsPerTask: number;
  tasks: number;
  prefetch: number;
  /** One figure per round (1 worker, then 2: rounds alternate on the same stack). */
  oneWorkerPerSec: number[];
  twoWorkersPerSec: number[];
  /** Each round's 2 / 1 ratio, and the ratio of the medians. */
  ratios: number[];
  rounds: { one: CpuBoundRound; two: CpuBoundRound }[];
  ratio: number;
  /** The same from each round's `withoutCoreWaitS`: the 2 / 1 ratio the system gives when no worker waits for a core. */
  ratiosWithoutCoreWait: number[];
  ratioWithoutCoreWait: number;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
/** How often the workers' CPU is read (from /proc: costs them nothing). */
const SAMPLE_MS = 100;
/**
 * How often the status service is asked how many finished: each ask costs it a /metrics render, CPU taken from
 * the workers once both cores run them (at 100 ms, the poll and its answers were about 40 ms of CPU a second).
 * The makespan is read from the tasks' records, so this only bounds how long the round waits.
 */
const FINISHED_POLL_MS = 500;
/** CPU ms a worker may still use after its work is done (timers, its last acks). */
const TAIL_CPU_MS = 50;
/** How long the stack is watched idle before each round (its parts' upkeep; /proc counts in 10 ms ticks). */
const IDLE_SAMPLE_MS = 6_000;

interface CpuSample {
  at: number;
  cpuS: number[];
  threads: ThreadTime[];
}

/**
 * When each worker had done its work: the first sample (s after `t0`) by which it had used all but `TAIL_CPU_MS`
 * of its CPU of the round (an idle worker uses next to none; a busy one on a loaded machine may get only a
 * tenth of a core, so a threshold on CPU per interval would call it idle).
 */
function busyUntil(samples: CpuSample[], workers: number): CpuSample[] {
  const last = samples[samples.length - 1].cpuS;
  return Array.from({ length: workers }, (_, w) => samples.find((s) => (last[w] - s.cpuS[w]) * 1000 <= TAIL_CPU_MS)!);
}

/** Each worker over the round: its tasks, CPU, and its thread's run, wait for a core and idle time until its work was done. */
function workerFigures(samples: CpuSample[], tasks: number[]): CpuBoundWorker[] {
  const first = samples[0];
  const last = samples[samples.length - 1];
  return busyUntil(samples, tasks.length).map((done, w) => {
    const busyUntilS = (done.at - first.at) / 1000;
    const runS = done.threads[w].runS - first.threads[w].runS;
    const coreWaitS = done.threads[w].coreWaitS - first.threads[w].coreWaitS;
    return {
      tasks: tasks[w],
      cpuS: round(last.cpuS[w] - first.cpuS[w], 2),
      busyUntilS: round(busyUntilS, 2),
      runS: round(runS, 2),
      coreWaitS: round(coreWaitS, 2),
      idleS: round(Math.max(0, busyUntilS - runS - coreWaitS), 2),
    };
  });
}

/** The tasks' start and end times from their records, and (one worker) the mean gap from one's end to the next's start. */
async function recordTimes(client: TaskClient, ids: string[], t0Wall: number, oneWorker: boolean): Promise<Pick<CpuBoundRound, 'firstStartAfterS' | 'lastStartAfterS' | 'lastEndAfterS' | 'meanTurnaroundMs'>> {
  const runs: { start: number; end: number }[] = [];
  await inParallel(ids.length, 8, async (i) => {
    const t = await client.task(ids[i]);
    runs.push({ start: Date.parse(t.startedAt!) - t0Wall, end: Date.parse(t.finishedAt!) - t0Wall });
  });
  runs.sort((a, b) => a.start - b.start);
  const s = (ms: number): number => round(ms / 1000, 2);
  const gaps = runs.slice(1).map((r, i) => r.start - runs[i].end);
  return {
    firstStartAfterS: s(runs[0].start),
    lastStartAfterS: s(runs[runs.length - 1].start),
    lastEndAfterS: s(Math.max(...runs.map((r) => r.end))),
    // Only where one job ran at a time (prefetch 1): interleaved jobs overlap and have no turnaround.
    meanTurnaroundMs: oneWorker && gaps.every((g) => g >= -1) ? round(gaps.reduce((a, b) => a + b, 0) / gaps.length, 1) : undefined,
  };
}

/** `tasks` CPU-bound tasks on the stack's diagnostic workers: from the first submit to the last seen finished. */
async function cpuBoundRound(client: TaskClient, stack: ProcessStack, opts: CpuBoundOptions): Promise<CpuBoundRound> {
  const workers = stack.processes.filter((p) => p.name === 'diagnostic');
  const base = await finishedCount(stack);
  const jobs0 = await jobsByWorker(stack);
  const idle = await idleCpuMsPerSec(IDLE_SAMPLE_MS);
  const counts0 = await statusCounts(stack);
  const cpu0 = cpuByPart();
  const machine0 = machineTicks();
  const sample = (): CpuSample => ({ at: performance.now(), cpuS: workers.map((w) => processCpuSeconds(w.child.pid!)), threads: workers.map((w) => threadTime(w.child.pid!)) });
  const t0Wall = Date.now();
  const samples: CpuSample[] = [sample()];
  const started = samples[0].at;
  const ids: string[] = [];
  let submitted = 0;
  const sending = inParallel(opts.tasks, 8, async () => void ids.push(await client.submit('diagnostic', { cpuMs: opts.cpuMsPerTask }))).then(() => (submitted = performance.now()));
  const deadline = started + 600_000;
  for (let polled = started; ; ) {
    await sleep(SAMPLE_MS);
    samples.push(sample());
    if (performance.now() - polled < FINISHED_POLL_MS) continue;
    polled = performance.now();
    const done = (await finishedCount(stack)) - base;
    if (done >= opts.tasks) break;
    if (polled > deadline) throw new Error(`CPU-bound round: only ${done} of ${opts.tasks} finished in 600 s`);
  }
  const finished = performance.now();
  await sending;
  const machine1 = machineTicks();
  const used = cpuBetween(cpu0, cpuByPart());
  const jobs1 = await jobsByWorker(stack);
  const split = workers.map((w) => (jobs1.get(w.port) ?? 0) - (jobs0.get(w.port) ?? 0));
  const figures = workerFigures(samples, split);
  const othersCpuS = Object.fromEntries([...used].filter(([part]) => part !== 'worker').map(([part, s]) => [part, round(s, 2)]));
  const counts1 = await statusCounts(stack);
  const times = await recordTimes(client, ids, t0Wall, workers.length === 1);
  const roundS = (finished - started) / 1000;
  return {
    // What a user reads off the batch: its first submit to its last task's finishedAt. The poll of the finished
    // count (up to 100 ms late, then the fold's own delay) is kept beside it, not in it.
    perSec: round(opts.tasks / times.lastEndAfterS, 2),
    submittedAfterS: round((submitted - started) / 1000, 2),
    finishedAfterS: round((finished - started) / 1000, 2),
    ...times,
    split,
    workers: figures,
    withoutCoreWaitS: round(Math.max(...figures.map((f) => f.busyUntilS - f.coreWaitS)), 2),
    othersCpuS,
    idleCpuMsPerSec: idle,
    perTaskCpuMs: perTaskBeyondIdle(Object.fromEntries(used), idle, roundS, opts.tasks, { worker: opts.cpuMsPerTask }),
    statusPerTask: countsPerTask(counts0, counts1, opts.tasks),
    machineBusyShare: round((machine1.busy - machine0.busy) / Math.max(1, machine1.total - machine0.total), 2),
    loadAverage: round(loadavg()[0], 2),
  };
}

/**
 * A worker process added for a round, once it is as a running deployment's are: a worker reads each task
 * created before its cancel watch began plus CLOCK_MARGIN_MS (CancelWatch), so a round started at once
 * measured a fresh worker's read per job (up to 28 ms of idle per job at load 17), not 2 workers' scaling.
 */
async function addSettledWorker(stack: ProcessStack, env: Record<string, string>): Promise<ProcessStack['processes'][number]> {
  const worker = await stack.add('diagnostic', env);
  registerStack(stack);
  await sleep(CLOCK_MARGIN_MS + 1_000);
  return worker;
}

/**
 * The CPU-bound type on 1 and then 2 worker processes, `rounds` times. The stack's no-op workers are replaced
 * by workers configured for the CPU-bound type (`prefetch`), and given back after.
 */
export async function measureCpuBound(client: TaskClient, stack: ProcessStack, opts: CpuBoundOptions): Promise<CpuBound> {
  const noop = stack.processes.filter((p) => p.name === 'diagnostic');
  for (const p of noop) await stopProcess(stack, p);
  const env = {
    TASKYARD_LIMITS: JSON.stringify({ diagnostic: { unfinishedPerOwner: opts.unfinishedPerOwner, prefetch: opts.prefetch } }),
    ...(opts.startDelayMs === undefined ? {} : { START_DELAY_MS: String(opts.startDelayMs) }),
  };
  const first = await addSettledWorker(stack, env);
  const rounds: CpuBound['rounds'] = [];
  for (let r = 0; r < opts.rounds; r++) {
    opts.log(`taskyard: CPU-bound tasks (${opts.cpuMsPerTask} ms each, prefetch ${opts.prefetch}), 1 worker process (round ${r + 1})`);
    const one = await cpuBoundRound(client, stack, opts);
    const second = await addSettledWorker(stack, env);
    opts.log(`taskyard: CPU-bound tasks, 2 worker processes (round ${r + 1})`);
    const two = await cpuBoundRound(client, stack, opts);
    await stopProcess(stack, second);
    rounds.push({ one, two });
  }
  await stopProcess(stack, first);
  for (let i = 0; i < noop.length; i++) await stack.add('diagnostic');
  registerStack(stack);
  const one = rounds.map((r) => r.one.perSec);
  const two = rounds.map((r) => r.two.perSec);
  const ratios = one.map((o, i) => round(two[i] / o, 2));
  const free = rounds.map((r) => ({ one: r.one.withoutCoreWaitS, two: r.two.withoutCoreWaitS }));
  return {
    cpuMsPerTask: opts.cpuMsPerTask,
    tasks: opts.tasks,
    prefetch: opts.prefetch,
    oneWorkerPerSec: one,
    twoWorkersPerSec: two,
    ratios,
    ratio: round(median(two) / median(one), 2),
    rounds,
    ratiosWithoutCoreWait: free.map((f) => round(f.one / f.two, 2)),
    ratioWithoutCoreWait: round(median(free.map((f) => f.one)) / median(free.map((f) => f.two)), 2),
  };
}
