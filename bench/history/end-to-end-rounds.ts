import { loadavg } from 'node:os';
import type { Connection } from 'mongoose';
import type { ProcessStack } from '@taskyard/testing';
import { round } from '../lib/rate';
import type { Api } from './api-probes';
import { endToEnd } from './end-to-end';
import { median } from './api-probes';
import { processCpu, type PrivateDatabase } from './private-database';

/** One stage's stack as the rounds use it. */
export interface RoundTarget {
  size: number;
  api: Api;
  key: string;
  conn: Connection;
  stack: ProcessStack;
}

/** One end-to-end run of one stage: its rate, the CPU it cost by part (ms per task) and the load around it. */
export interface RoundResult {
  size: number;
  tasks: number;
  seconds: number;
  perSecond: number;
  notSucceeded: number;
  cpuMsPerTask: Record<string, number>;
  loadAverage: number;
}

/** CPU seconds of the private database and of each process of one stack, by part. */
function cpuByPart(db: PrivateDatabase, stack: ProcessStack): Record<string, number> {
  const by: Record<string, number> = { ...db.cpuSeconds() };
  for (const p of stack.processes) if (p.child.pid) by[p.name] = (by[p.name] ?? 0) + processCpu(p.child.pid, true);
  return by;
}

/**
 * End-to-end runs of every stage in turn, `rounds` times (A B A B: a swing of this shared machine's load
 * falls on each stage alike), with each run's CPU by part per task: a per-task cost that grows with the
 * stored history shows in the part that pays it. The other stages' stacks stay up, idle (about 2% of a
 * core each), so the database's figure holds a little of theirs.
 */
export async function endToEndRounds(db: PrivateDatabase, targets: RoundTarget[], rounds: number, tasks: number): Promise<RoundResult[]> {
  const results: RoundResult[] = [];
  for (let r = 0; r < rounds; r++) {
    for (const t of targets) {
      const before = cpuByPart(db, t.stack);
      const run = await endToEnd(t.api, t.key, t.conn, tasks);
      const after = cpuByPart(db, t.stack);
      const cpuMsPerTask = Object.fromEntries(Object.keys(after).map((k) => [k, round((1000 * (after[k] - (before[k] ?? 0))) / tasks, 2)]));
      cpuMsPerTask.total = round(Object.values(cpuMsPerTask).reduce((a, b) => a + b, 0), 2);
      results.push({ size: t.size, ...run, cpuMsPerTask, loadAverage: round(loadavg()[0], 1) });
    }
  }
  return results;
}

/** One stage's rounds summed up: median rate and CPU-ms per task by part, every task counted. */
export interface StageRounds {
  tasks: number;
  seconds: number;
  perSecond: number;
  notSucceeded: number;
  cpuMsPerTask: Record<string, number>;
  loadAverages: number[];
}

/** The medians of one stage's rounds (its runs in `results`). */
export function stageRounds(results: RoundResult[], size: number): StageRounds {
  const mine = results.filter((r) => r.size === size);
  const parts = Object.keys(mine[0].cpuMsPerTask);
  return {
    tasks: mine.reduce((a, r) => a + r.tasks, 0),
    seconds: round(mine.reduce((a, r) => a + r.seconds, 0), 2),
    perSecond: median(mine.map((r) => r.perSecond)),
    notSucceeded: mine.reduce((a, r) => a + r.notSucceeded, 0),
    cpuMsPerTask: Object.fromEntries(parts.map((p) => [p, round(median(mine.map((r) => r.cpuMsPerTask[p])), 2)])),
    loadAverages: mine.map((r) => r.loadAverage),
  };
}

/** Prints each run, then each stage's medians. */
export function printRounds(results: RoundResult[], print: (title: string, rows: Record<string, number | string>[]) => void): void {
  print('End-to-end rounds: each run (CPU-ms per task by part)', results.map((r) => ({ stored: r.size, 'tasks/s': r.perSecond, load: r.loadAverage, ...r.cpuMsPerTask })));
  const sizes = [...new Set(results.map((r) => r.size))];
  print(
    'End-to-end rounds: medians (CPU-ms per task by part)',
    sizes.map((size) => {
      const s = stageRounds(results, size);
      return { stored: size, 'tasks/s': s.perSecond, ...s.cpuMsPerTask, load: s.loadAverages.join(' ') };
    }),
  );
}
