import { cpuBetween, type CpuSeconds } from '../lifecycle/cpu-accounting';
import { diffWrites, readWriteCounts, totalScans, totalWrites, type WriteCounts } from '../lifecycle/db-write-counter';
import { round } from '../lib/rate';
import { brokerMessages, messagesPerTask, type BrokerMessages } from './broker-messages';
import { SHARED_PARTS, cpuByPart } from './parts';

export interface EndToEnd {
  tasks: number;
  seconds: number;
  perSecond: number;
  /** CPU ms per task by part, others' load on the shared servers taken off. */
  cpuMsPerTask: Record<string, number>;
  cpuMsPerTaskTotal: number;
  /** Rows written per task in the run's database, counted by PostgreSQL (undefined where not used). */
  writesPerTask?: number;
  /** Table scans per task (FerretDB's reads; each update and delete starts with one), counted by PostgreSQL. */
  scansPerTask?: number;
  writesByCollection?: WriteCounts;
  /** The broker's publishes, confirms, deliveries, acks and redeliveries per task (a private broker only). */
  brokerPerTask?: BrokerMessages;
  /** CPU ms per second the shared servers spent before the run with this system idle (others' load). */
  backgroundCpuMsPerSec: Record<string, number>;
}

export interface EndToEndRun {
  tasks: number;
  /** Sends all `tasks` (returns when they are sent), with the CPU seconds of senders that have exited, by part. */
  send(): Promise<void | Record<string, number>>;
  /** How many of them have finished so far. */
  finished(): Promise<number>;
  /** The database to count writes in (its FerretDB schema), if the system writes one. */
  database?: string;
  /** The system whose processes count (`ownProcess`'s): another one idling beside it is not its cost. */
  system?: string;
  /** The collections whose writes are this system's (default: all of the database's). */
  collections?: (name: string) => boolean;
  timeoutMs?: number;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** PostgreSQL publishes an idle backend's write counters within 10 s: wait that long around a count. */
const STATS_SETTLE_MS = 11_000;

function rates(used: CpuSeconds, seconds: number): Record<string, number> {
  return Object.fromEntries(SHARED_PARTS.map((p) => [p, round((1000 * (used.get(p) ?? 0)) / seconds, 1)]));
}

/**
 * One end-to-end run: from the first send to the last task finished. Before it, the shared servers'
 * CPU is sampled while this system is idle (what other load costs them), and taken off its figures.
 */
export async function measureEndToEnd(run: EndToEndRun): Promise<EndToEnd> {
  const idle0 = cpuByPart(run.system);
  const idleStart = performance.now();
  await sleep(STATS_SETTLE_MS);
  const background = rates(cpuBetween(idle0, cpuByPart(run.system)), (performance.now() - idleStart) / 1000);
  const writes0 = run.database ? readWriteCounts(run.database) : undefined;
  const messages0 = await brokerMessages();
  const base = await run.finished();
  const cpu0 = cpuByPart(run.system);
  const started = performance.now();
  const sending = run.send();
  const deadline = started + (run.timeoutMs ?? 600_000);
  while ((await run.finished()) < base + run.tasks) {
    if (performance.now() > deadline) throw new Error(`only ${(await run.finished()) - base} of ${run.tasks} tasks finished in time`);
    await sleep(100);
  }
  const exited = (await sending) ?? {};
  const seconds = (performance.now() - started) / 1000;
  const used = cpuBetween(cpu0, cpuByPart(run.system));
  for (const [part, s] of Object.entries(exited)) used.set(part, (used.get(part) ?? 0) + s);
  const cpuMsPerTask: Record<string, number> = {};
  for (const [part, s] of used) {
    const backgroundMs = (background[part] ?? 0) * seconds;
    const ms = Math.max(0, 1000 * s - backgroundMs) / run.tasks;
    if (ms >= 0.005) cpuMsPerTask[part] = round(ms, 2);
  }
  let writesPerTask: number | undefined;
  let scansPerTask: number | undefined;
  let writesByCollection: WriteCounts | undefined;
  if (writes0 || messages0) await sleep(STATS_SETTLE_MS);
  const messages1 = await brokerMessages();
  const brokerPerTask = messages0 && messages1 ? messagesPerTask(messages0, messages1, run.tasks) : undefined;
  if (writes0) {
    const writes1 = readWriteCounts(run.database!);
    if (writes1) {
      const ours = run.collections ?? (() => true);
      writesByCollection = Object.fromEntries(Object.entries(diffWrites(writes0, writes1)).filter(([c]) => ours(c)));
      writesPerTask = round(totalWrites(writesByCollection) / run.tasks, 2);
      scansPerTask = round(totalScans(writesByCollection) / run.tasks, 2);
    }
  }
  return {
    tasks: run.tasks,
    seconds: round(seconds, 2),
    perSecond: round(run.tasks / seconds, 1),
    cpuMsPerTask,
    cpuMsPerTaskTotal: round(Object.values(cpuMsPerTask).reduce((a, b) => a + b, 0), 2),
    writesPerTask,
    scansPerTask,
    writesByCollection,
    brokerPerTask,
    backgroundCpuMsPerSec: background,
  };
}

/** Runs `op` for 0..total-1 with at most `concurrency` in flight. */
export async function inParallel(total: number, concurrency: number, op: (i: number) => Promise<unknown>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: Math.min(concurrency, total) }, async () => {
    while (next < total) await op(next++);
  }));
}
