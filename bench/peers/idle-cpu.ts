import { setTimeout as sleep } from 'node:timers/promises';
import { round } from '../lib/rate';
import { cpuBetween } from '../lifecycle/cpu-accounting';
import { cpuByPart } from './parts';

/** CPU milliseconds per second by part (the workers as 'worker'). */
export type CpuMsPerSec = Record<string, number>;

/**
 * What each part of the stack and the shared servers use while nothing is submitted (timers, sweepers, the
 * broker's and the database's own upkeep): read from /proc before and after `ms` in which the bench does nothing
 * itself (no sampling, no polling), so the load generator's figure is the bench runner's own upkeep.
 */
export async function idleCpuMsPerSec(ms: number): Promise<CpuMsPerSec> {
  const before = cpuByPart();
  const t0 = performance.now();
  await sleep(ms);
  const used = cpuBetween(before, cpuByPart());
  const seconds = (performance.now() - t0) / 1000;
  return Object.fromEntries([...used].map(([part, s]) => [part, round((1000 * s) / seconds, 1)]));
}

/**
 * A round's CPU by part split into the idle rate over its length and the rest, per task: what the round's tasks
 * cost each part beyond what the part would have used anyway. `extraMsPerTask` is taken off a part's figure
 * (the worker's: the job's own CPU), so what is left is the platform's own.
 */
export function perTaskBeyondIdle(usedS: Record<string, number>, idle: CpuMsPerSec, seconds: number, tasks: number, extraMsPerTask: Record<string, number> = {}): Record<string, number> {
  return Object.fromEntries(
    Object.entries(usedS).map(([part, s]) => [part, round((1000 * s - (idle[part] ?? 0) * seconds) / tasks - (extraMsPerTask[part] ?? 0), 2)]),
  );
}
