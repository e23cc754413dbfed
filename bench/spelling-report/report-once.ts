import { performance } from 'node:perf_hooks';
import mongoose from 'mongoose';
import { loadServerUrls } from '@taskyard/config';
import type { SpellingReportParams } from '@taskyard/contracts';
import { COLLECTIONS } from '@taskyard/school-data';
import { directJobContext } from '@taskyard/school-data/src/testing/direct-job-context';
import { spellingReportWorker } from '@taskyard/spelling-report/src/spelling-report-handler';
import { ObjectStore } from '@taskyard/storage';
import { peakRssMb } from '../lib/child-run';

/**
 * One measured step, in its own process: `report` runs the spelling-report handler for a whole school
 * and year; `bare` reads the same documents with one bare cursor (raw BSON, nothing done with them).
 * Prints one JSON line: wall time, the process's CPU time, documents and bytes, peak RSS.
 */
const [mode, schoolId, from, to] = process.argv.slice(2);

async function bare(conn: mongoose.Connection): Promise<{ docs: number; bytes: number }> {
  let docs = 0;
  let bytes = 0;
  const cursor = conn.db!.collection(COLLECTIONS.spellingWeeks).find({ schoolId, week: { $gte: from, $lte: to } }, { raw: true, batchSize: 2000 });
  for await (const raw of cursor) {
    docs++;
    bytes += (raw as unknown as Buffer).length;
  }
  return { docs, bytes };
}

/** The handler reports its read as done with progress READ_DONE (its read share); the files are written after. */
const READ_DONE = 90;

async function report(conn: mongoose.Connection): Promise<{ docs: number; xlsxBytes: number; csvBytes: number; readMs: number; writeMs: number; readCpuMs: number }> {
  const store = new ObjectStore(loadServerUrls().s3);
  const params: SpellingReportParams = { scope: 'school', schoolId, from, to };
  const run = directJobContext({ type: 'spelling-report', params, db: conn, store });
  const t0 = performance.now();
  let readDone = 0;
  let readCpu = 0;
  const cpu0 = process.cpuUsage();
  const progress = run.ctx.progress;
  run.ctx.progress = (p) => {
    if (p >= READ_DONE && !readDone) {
      readDone = performance.now();
      const cpu = process.cpuUsage(cpu0);
      readCpu = (cpu.user + cpu.system) / 1000;
    }
    progress(p);
  };
  const outcome = await spellingReportWorker.handler(run.ctx);
  const done = performance.now();
  const xlsx = run.artifacts.find((a) => a.name === 'report.xlsx')!;
  const csv = run.artifacts.find((a) => a.name === 'report.csv')!;
  await store.deleteKeys(run.artifacts.map((a) => a.key));
  store.close();
  // The read overlaps the database's scan; the writing (xlsx, csv, uploads) only starts after it.
  return { docs: Number((outcome as { result: { docsRead: number } }).result.docsRead), xlsxBytes: xlsx.size, csvBytes: csv.size, readMs: Math.round(readDone - t0), writeMs: Math.round(done - readDone), readCpuMs: Math.round(readCpu) };
}

async function main(): Promise<void> {
  const conn = await mongoose.createConnection(loadServerUrls().mongoUrl).asPromise();
  const baseline = peakRssMb();
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  const result = mode === 'bare' ? await bare(conn) : await report(conn);
  const wallMs = Math.round(performance.now() - t0);
  const cpu = process.cpuUsage(cpu0);
  await conn.close();
  // The step's own CPU beside its wall time: on a machine shared at load 15-25 the wall time is mostly
  // waiting for a CPU, and what the report adds to a bare read is CPU (fold, xlsx, csv).
  const cpuMs = Math.round((cpu.user + cpu.system) / 1000);
  console.log(JSON.stringify({ mode, wallMs, cpuMs, ...result, peakRssMb: peakRssMb(), rssBeforeMb: baseline }));
}

void main();
