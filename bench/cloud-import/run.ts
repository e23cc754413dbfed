import { mkdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mongoose from 'mongoose';
import { loadServerUrls } from '@taskyard/config';
import { measureCeilings } from '../ceilings/measure';
import { runChild } from '../lib/child-run';
import { round } from '../lib/rate';
import { printTable, writeResults } from '../lib/report';
import cloudImportPackage from '@taskyard/cloud-import/package.json';
import { makeImportZip, planFor } from './make-zip';

/**
 * cloud-import of a zip of ~N rows (default 200,000): rows/s as a ratio to a bare batched insert of the
 * same documents, peak RSS, and the cost of re-running the same zip; adm-zip's peak RSS extracting the
 * same zip, for the choice of yauzl. Every step in its own process (its wall time and its own CPU time),
 * beside the ceilings of the same run.
 * Targets (issue 9): at least 70% of the bare insert rate; peak RSS at most 300 MB whatever the size.
 * Usage: tsx bench/cloud-import/run.ts [--rows 200000] [--no-ceilings]
 */
const arg = (name: string, fallback: number): number => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const ROWS = arg('rows', 200_000);
/** The Node flags the service is started with (its package.json's start): the import steps run with them. */
const SERVICE_FLAGS = (cloudImportPackage.scripts.start.match(/--[\w-]+=\S+/g) ?? []).filter((f) => !f.startsWith('--import'));
const DB = 'bench_import';

interface Step {
  mode: string;
  wallMs: number;
  /** The step's own process CPU (user + system) over the measured part. */
  cpuMs?: number;
  peakRssMb: number;
  docs?: number;
  documents?: Record<string, number>;
}

async function dropDb(url: string): Promise<void> {
  const conn = await mongoose.createConnection(url).asPromise();
  await conn.dropDatabase();
  await conn.close();
}

async function main(): Promise<void> {
  const servers = loadServerUrls();
  const url = new URL(servers.mongoUrl);
  url.pathname = `/${DB}`;
  const env = { MONGO_URL: url.toString() };
  const ceilings = process.argv.includes('--no-ceilings') ? undefined : await measureCeilings({ dbMs: 1500, brokerMs: 1000, log: (l) => process.stderr.write(`ceilings: ${l}\n`) });
  const dir = join(tmpdir(), 'taskyard-bench-import');
  mkdirSync(dir, { recursive: true });
  const plan = planFor(ROWS);
  const zip = await makeImportZip(plan, dir);
  process.stderr.write(`zip: ${plan.rows} rows, ${statSync(zip).size} bytes\n`);
  await dropDb(url.toString());
  process.stderr.write(`import steps run with ${SERVICE_FLAGS.join(' ') || 'no Node flags'} (as the service starts)\n`);
  const first = await runChild<Step>(`${__dirname}/import-once.ts`, ['import', zip], env, SERVICE_FLAGS);
  process.stderr.write(`import: ${first.wallMs} ms\n`);
  const again = await runChild<Step>(`${__dirname}/import-once.ts`, ['import', zip], env, SERVICE_FLAGS);
  process.stderr.write(`re-run: ${again.wallMs} ms\n`);
  const bare = await runChild<Step>(`${__dirname}/import-once.ts`, ['bare', DB, `${DB}_bare`], env);
  process.stderr.write(`bare insert: ${bare.wallMs} ms\n`);
  const adm = await runChild<Step>(`${__dirname}/import-once.ts`, ['admzip', zip], env);
  const docs = bare.docs!;
  const line = (step: string, s: Step, written: number) => ({ step, 'wall s': s.wallMs / 1000, 'CPU s': (s.cpuMs ?? 0) / 1000, 'rows/s': Math.round((1000 * plan.rows) / s.wallMs), 'docs written': written, 'peak RSS MB': s.peakRssMb });
  const rows = [
    line('bare insertMany of the same documents', bare, docs),
    line('cloud-import (fetch, check, extract, validate, write)', first, first.documents!.inserted),
    line('re-run of the same zip', again, again.documents!.inserted + again.documents!.updated),
    { ...line('adm-zip extractAllTo (for comparison)', adm, 0), 'rows/s': 0 },
  ];
  const ratio = round(bare.wallMs / first.wallMs, 2);
  printTable(`cloud-import of ${plan.rows} rows (${plan.pupils} pupils, ${plan.weeks} weeks of 20 words, ${plan.scoresPerPupil} scores each); import rate = ${Math.round(ratio * 100)}% of bare insert`, rows);
  const file = writeResults(`cloud-import-${plan.rows}`, { measuredAt: new Date().toISOString(), serviceFlags: SERVICE_FLAGS, plan, zipBytes: statSync(zip).size, ratioToBareInsert: ratio, first, again, bare, admZip: adm, rows, ceilings, targets: { ratio: 0.7, peakRssMb: 300 } });
  console.log(JSON.stringify({ file, ratio, rows }));
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exitCode = 1;
});
