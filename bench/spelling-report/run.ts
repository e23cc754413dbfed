import { loadavg } from 'node:os';
import { resolve } from 'node:path';
import mongoose from 'mongoose';
import { loadServerUrls } from '@taskyard/config';
import { COLLECTIONS, schoolId, seedDataset } from '@taskyard/school-data';
import { measureCeilings } from '../ceilings/measure';
import { runChild } from '../lib/child-run';
import { round } from '../lib/rate';
import { printTable, writeResults } from '../lib/report';

/**
 * Whole-school, whole-year spelling report (1,000 pupils x 40 weeks x 20 words) against a bare cursor
 * read of the same documents, each step in its own process, alternated over `ROUNDS` rounds (medians
 * reported), beside the machine's ceilings measured in the same run. Targets (issue 9): at most 1.3x
 * the bare read, peak RSS at most 256 MB.
 * With --base <checkout> (repeatable), each round also runs the report of each other checkout of the
 * repository (its own bench/spelling-report/report-once.ts, installed): an A/B (or A/B/C...) in one
 * sitting, the steps alternated.
 * Usage: tsx bench/spelling-report/run.ts [--pupils 1000] [--weeks 40] [--rounds 3] [--no-ceilings] [--base ../other-checkout]...
 */
const arg = (name: string, fallback: number): number => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const PUPILS = arg('pupils', 1000);
const WEEKS = arg('weeks', 40);
const ROUNDS = arg('rounds', 3);
const BASES = process.argv.flatMap((a, i) => (a === '--base' ? [process.argv[i + 1]] : []));
const DB = 'bench_spelling';
const FIRST_WEEK = '2024-09-02';
const TO = '2025-08-31';

interface Step {
  mode: string;
  wallMs: number;
  cpuMs: number;
  docs: number;
  bytes?: number;
  xlsxBytes?: number;
  csvBytes?: number;
  /** The report's read (cursor and fold) and what follows it (xlsx, csv, uploads). */
  readMs?: number;
  writeMs?: number;
  /** The process's CPU time to the end of the read (the rest of cpuMs is the writing's). */
  readCpuMs?: number;
  peakRssMb: number;
  rssBeforeMb: number;
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
/**
 * A step's fastest round: on a shared machine waiting for a CPU only ever adds to a wall time, so the
 * best of several rounds is the least disturbed (the medians and the rounds' own ratios are printed too).
 */
const best = (steps: Step[]): number => Math.min(...steps.map((s) => s.wallMs));

async function seed(url: string): Promise<number> {
  const conn = await mongoose.createConnection(url).asPromise();
  try {
    const have = await conn.db!.collection(COLLECTIONS.pupils).countDocuments({ schoolId: schoolId(1) });
    if (have !== PUPILS) {
      await conn.dropDatabase();
      process.stderr.write(`seeding ${PUPILS} pupils x ${WEEKS} weeks...\n`);
      await seedDataset(conn, { schools: 1, pupilsPerSchool: PUPILS, weeks: WEEKS, wordsPerTest: 20, assessmentsPerBatch: 0, firstWeek: FIRST_WEEK });
    }
    return await conn.db!.collection(COLLECTIONS.spellingWeeks).countDocuments();
  } finally {
    await conn.close();
  }
}

async function main(): Promise<void> {
  const servers = loadServerUrls();
  const url = new URL(servers.mongoUrl);
  url.pathname = `/${DB}`;
  const ceilings = process.argv.includes('--no-ceilings') ? undefined : await measureCeilings({ dbMs: 1500, brokerMs: 1000, log: (l) => process.stderr.write(`ceilings: ${l}\n`) });
  const docs = await seed(url.toString());
  const env = { MONGO_URL: url.toString() };
  const args = [schoolId(1), FIRST_WEEK, TO];
  const bare: Step[] = [];
  const report: Step[] = [];
  const bases: Step[][] = BASES.map(() => []);
  const loads: number[] = [];
  const said = (name: string, s: Step): string => `${name} ${s.wallMs} ms (CPU ${s.cpuMs}${s.readCpuMs === undefined ? '' : `, writing's ${s.cpuMs - s.readCpuMs}`}; read ${s.readMs}, write ${s.writeMs})`;
  for (let r = 0; r < ROUNDS; r++) {
    bare.push(await runChild<Step>(`${__dirname}/report-once.ts`, ['bare', ...args], env));
    for (const [b, checkout] of BASES.entries()) bases[b].push(await runChild<Step>(resolve(checkout, 'bench/spelling-report/report-once.ts'), ['report', ...args], env));
    report.push(await runChild<Step>(`${__dirname}/report-once.ts`, ['report', ...args], env));
    loads.push(round(loadavg()[0], 1));
    process.stderr.write(`round ${r + 1}: bare ${bare[r].wallMs} ms (CPU ${bare[r].cpuMs}), ${BASES.map((checkout, b) => `${said(checkout, bases[b][r])}, `).join('')}${said('report', report[r])}, load ${loads[r]}\n`);
  }
  const bareMs = median(bare.map((s) => s.wallMs));
  const reportMs = median(report.map((s) => s.wallMs));
  const reportRow = (step: string, steps: Step[]) => {
    const ms = median(steps.map((s) => s.wallMs));
    return { step, 'wall s': ms / 1000, 'read s': median(steps.map((s) => s.readMs!)) / 1000, 'write s': median(steps.map((s) => s.writeMs!)) / 1000, docs: steps[0].docs, 'docs/s': Math.round((1000 * steps[0].docs) / ms), 'MB read': round(bare[0].bytes! / 1e6, 1), 'CPU s': median(steps.map((s) => s.cpuMs)) / 1000, 'write CPU s': steps[0].readCpuMs === undefined ? '' : median(steps.map((s) => s.cpuMs - s.readCpuMs!)) / 1000, 'peak RSS MB': Math.max(...steps.map((s) => s.peakRssMb)), 'x bare': round(median(steps.map((s, i) => s.wallMs / bare[i].wallMs)), 2), 'best s': best(steps) / 1000, 'best x bare': round(best(steps) / best(bare), 2) };
  };
  const rows = [
    { step: 'bare cursor read (raw BSON)', 'wall s': bareMs / 1000, 'read s': bareMs / 1000, 'write s': 0, docs: bare[0].docs, 'docs/s': Math.round((1000 * bare[0].docs) / bareMs), 'MB read': round(bare[0].bytes! / 1e6, 1), 'CPU s': median(bare.map((s) => s.cpuMs)) / 1000, 'write CPU s': 0, 'peak RSS MB': Math.max(...bare.map((s) => s.peakRssMb)), 'x bare': 1, 'best s': best(bare) / 1000, 'best x bare': 1 },
    ...BASES.map((checkout, b) => reportRow(`spelling report, ${checkout}`, bases[b])),
    reportRow('spelling report (xlsx + csv to S3)', report),
  ];
  const ratio = round(reportMs / bareMs, 2);
  // Each round's two steps ran minutes apart at most: the median of the rounds' own ratios is less moved
  // by the machine's load swings than the ratio of the two medians.
  const roundRatio = round(median(report.map((s, i) => s.wallMs / bare[i].wallMs)), 2);
  printTable(`Spelling report, whole school and year: ${PUPILS} pupils x ${WEEKS} weeks x 20 words (${docs} documents); report/bare = ${ratio}x (median of the rounds' ratios ${roundRatio}x)`, rows);
  const file = writeResults('spelling-report', { measuredAt: new Date().toISOString(), pupils: PUPILS, weeks: WEEKS, documents: docs, ratioToBareRead: ratio, medianRoundRatio: roundRatio, loadAverage: loadavg(), roundLoads: loads, bare, report, bases: BASES.map((checkout, b) => ({ checkout, steps: bases[b] })), rows, ceilings, targets: { ratio: 1.3, peakRssMb: 256 } });
  console.log(JSON.stringify({ file, ratio, roundRatio, rows }));
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exitCode = 1;
});
