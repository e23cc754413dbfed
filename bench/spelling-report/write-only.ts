import { Writable } from 'node:stream';
import { performance } from 'node:perf_hooks';
import mongoose from 'mongoose';
import { loadServerUrls } from '@taskyard/config';
import type { SpellingReportParams } from '@taskyard/contracts';
import { writeCsv } from '@taskyard/spelling-report/src/csv-report';
import { buildGrids, readCells } from '@taskyard/spelling-report/src/read-grids';
import { loadRoster, resolveTarget } from '@taskyard/spelling-report/src/report-scope';
import { WeekAxis } from '@taskyard/spelling-report/src/week-axis';
import { writeWorkbook } from '@taskyard/spelling-report/src/xlsx-report';

/**
 * The report's two files alone, after one read of the school: each written `--repeat` times (default 9)
 * to a sink that only counts bytes, alternating xlsx and csv, with each write's wall and CPU time
 * (process.cpuUsage: libuv's zlib threads included). What the writing costs without the database or
 * the upload, to compare writers in one process.
 * Usage: tsx bench/spelling-report/write-only.ts <schoolId> <from> <to> [--repeat 9]
 */
const [schoolId, from, to] = process.argv.slice(2);
const i = process.argv.indexOf('--repeat');
const REPEAT = i > 0 ? Number(process.argv[i + 1]) : 9;

/** A stream that only counts the bytes written to it. */
class CountingSink extends Writable {
  bytes = 0;

  override _write(chunk: Buffer, _encoding: BufferEncoding, done: () => void): void {
    this.bytes += chunk.length;
    done();
  }
}

async function timed(write: (out: Writable) => Promise<void>): Promise<{ wallMs: number; cpuMs: number; bytes: number }> {
  const out = new CountingSink();
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  await write(out);
  if (!out.writableEnded) out.end();
  const cpu = process.cpuUsage(cpu0);
  return { wallMs: Math.round(performance.now() - t0), cpuMs: Math.round((cpu.user + cpu.system) / 1000), bytes: out.bytes };
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function main(): Promise<void> {
  const conn = await mongoose.createConnection(loadServerUrls().mongoUrl).asPromise();
  const params: SpellingReportParams = { scope: 'school', schoolId, from, to };
  const target = await resolveTarget(conn, params);
  const axis = new WeekAxis(from, to);
  const [{ cells, stats }, roster] = await Promise.all([readCells(conn, target, axis, new AbortController().signal, () => undefined), loadRoster(conn, target)]);
  const grids = buildGrids(cells, roster, axis, stats);
  const scope = { ...target, ...roster };
  await conn.close();
  if (process.argv.includes('--warm')) {
    // A warm-up on one class: what a worker could do once at its start.
    await timed((out) => writeWorkbook(out, scope, axis, grids.slice(0, 1)));
    await timed((out) => writeCsv(out, scope, axis, grids.slice(0, 1)));
  }
  const xlsx = [];
  const csv = [];
  for (let r = 0; r < REPEAT; r++) {
    xlsx.push(await timed((out) => writeWorkbook(out, scope, axis, grids)));
    csv.push(await timed((out) => writeCsv(out, scope, axis, grids)));
  }
  const row = (runs: { wallMs: number; cpuMs: number; bytes: number }[]) => ({ wallMs: median(runs.map((x) => x.wallMs)), cpuMs: median(runs.map((x) => x.cpuMs)), firstCpuMs: runs[0].cpuMs, bytes: runs[0].bytes });
  console.log(JSON.stringify({ docs: stats.docs, xlsx: row(xlsx), csv: row(csv) }));
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exitCode = 1;
});
