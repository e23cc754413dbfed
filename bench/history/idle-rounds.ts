import { loadavg } from 'node:os';
import { basename } from 'node:path';
import type { Connection } from 'mongoose';
import type { ServerUrls } from '@taskyard/config';
import { startProcessStack } from '@taskyard/testing';
import { round } from '../lib/rate';
import type { Row } from '../lib/report';
import { Api, median } from './api-probes';
import { endToEnd } from './end-to-end';
import { FILL_OWNERS } from './fill';
import { idleCpu } from './idle-cpu';
import type { PrivateDatabase } from './private-database';

/** One stage's database as the idle rounds use it: a fresh stack is started on it for every run. */
export interface IdleTarget {
  size: number;
  conn: Connection;
  /** The stage's servers: its database and a vhost of its own. */
  servers: ServerUrls;
}

export interface IdleRoundsPlan {
  /** The checkouts whose stacks take turns (an A/B of two versions in one sitting); labelled by folder name. */
  repos: string[];
  rounds: number;
  seconds: number;
  /** Tasks run end to end before each idle window: a stack idles after work, not straight after its start. */
  warmTasks: number;
  limits: Record<string, Record<string, unknown>>;
}

/** One idle window: which stage and checkout, the load around it, the CPU by part (% of a core). */
export interface IdleRun {
  size: number;
  repo: string;
  round: number;
  loadAverage: string;
  idleCpuPercent: Record<string, number>;
}

/**
 * Idle CPU only (`--only=idle`): for each round, each stage and each checkout in turn (A B A B), a stack
 * started alone on the stage's database, `warmTasks` run end to end, then its idle window (idleCpu).
 * One stack at a time: the database's CPU is every stack's.
 */
export async function idleRounds(db: PrivateDatabase, targets: IdleTarget[], plan: IdleRoundsPlan, log: (line: string) => void): Promise<IdleRun[]> {
  const runs: IdleRun[] = [];
  for (let r = 0; r < plan.rounds; r++) {
    for (const t of targets) {
      for (const repo of plan.repos) {
        const stack = await startProcessStack({ servers: t.servers, workers: { diagnostic: 1 }, limits: plan.limits, repo, ...(process.env.IDLE_STDIO ? { stdio: 'inherit' as const } : {}) });
        try {
          const key = stack.keys.find((k) => k.principal === FILL_OWNERS[0])!.key;
          await endToEnd(new Api(stack.gatewayUrl), key, t.conn, plan.warmTasks);
          const load = loadavg().map((l) => round(l, 1)).join(' ');
          log(`round ${r + 1}: idle CPU over ${plan.seconds} s with ${t.size.toLocaleString('en-US')} stored tasks (${basename(repo)}, load ${load})`);
          runs.push({ size: t.size, repo: basename(repo), round: r + 1, loadAverage: load, idleCpuPercent: await idleCpu(db, stack, plan.seconds) });
        } finally {
          await stack.stop(5000);
        }
      }
    }
  }
  return runs;
}

/** Each run's row, then the medians by stage and checkout. */
export function idleTables(runs: IdleRun[]): { runs: Row[]; medians: Row[] } {
  const rows = runs.map((r) => ({ stored: r.size, repo: r.repo, round: r.round, load: r.loadAverage, ...r.idleCpuPercent }));
  const groups = [...new Set(runs.map((r) => `${r.size} ${r.repo}`))];
  const medians = groups.map((g) => {
    const mine = runs.filter((r) => `${r.size} ${r.repo}` === g);
    const parts = Object.keys(mine[0].idleCpuPercent);
    return { stored: mine[0].size, repo: mine[0].repo, runs: mine.length, ...Object.fromEntries(parts.map((p) => [p, round(median(mine.map((r) => r.idleCpuPercent[p])), 2)])) };
  });
  return { runs: rows, medians };
}
