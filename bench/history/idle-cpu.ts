import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ProcessStack } from '@taskyard/testing';
import { round } from '../lib/rate';
import { processCpu, type PrivateDatabase } from './private-database';

/** How long after the last task the idle window opens: the last tasks' events and timers settle first. */
export const SETTLE_MS = 10_000;

/**
 * Percent of one core the stack used over `seconds` of idling, by part (FerretDB, PostgreSQL, each service),
 * from /proc, SETTLE_MS after the last task. With PROF_DIR set, `PROF_DIR/START` exists during the window
 * only, so the services' preloaded bench/peers/profile/cpu-profile.cjs profiles the idle stack (and its stop).
 */
export async function idleCpu(db: PrivateDatabase, stack: ProcessStack, seconds: number): Promise<Record<string, number>> {
  const services = (): Record<string, number> => {
    const by: Record<string, number> = {};
    for (const p of stack.processes) if (p.child.pid) by[p.name] = (by[p.name] ?? 0) + processCpu(p.child.pid, true);
    return by;
  };
  await new Promise((r) => setTimeout(r, SETTLE_MS));
  const marker = process.env.PROF_DIR ? join(process.env.PROF_DIR, 'START') : undefined;
  if (marker) writeFileSync(marker, '');
  const before: Record<string, number> = { ...db.cpuSeconds(), ...services() };
  await new Promise((r) => setTimeout(r, seconds * 1000));
  const after: Record<string, number> = { ...db.cpuSeconds(), ...services() };
  if (marker) rmSync(marker, { force: true });
  const pct = Object.fromEntries(Object.keys(after).map((k) => [k, round((100 * (after[k] - before[k])) / seconds, 2)]));
  return { ...pct, total: round(Object.values(pct).reduce((a, b) => a + b, 0), 2) };
}
