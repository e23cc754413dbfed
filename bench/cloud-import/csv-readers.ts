import { createReadStream, mkdirSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { StringDecoder } from 'node:string_decoder';
import AdmZip from 'adm-zip';
import { parse as csvParse } from 'csv-parse';
import Papa from 'papaparse';
import { CsvRecords } from '@taskyard/cloud-import/src/csv-records';
import { printTable, writeResults } from '../lib/report';
import { makeImportZip, planFor } from './make-zip';

/**
 * The CSV readers tried for cloud-import, on the files of the import bench's zip (default 1,000,000 rows):
 * each reader's own CPU time to read every record of a file (no checks, no database), alternated over
 * rounds, medians. Readers: the service's CsvRecords (papaparse's Parser and the quote checks), papaparse's
 * own stream API (Papa.parse of a Node stream with `chunk`: no record cap, lenient quoting), csv-parse 6 with
 * the options the service used (strict, its record cap) read in batches from 'readable'.
 * Usage: tsx bench/cloud-import/csv-readers.ts [--rows 1000000] [--rounds 5]
 */
const arg = (name: string, fallback: number): number => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const ROWS = arg('rows', 1_000_000);
const ROUNDS = arg('rounds', 5);
const MAX_RECORD_CHARS = 64 * 1024;

/** Reads every record of the file; returns how many fields it saw (the readers must agree). */
type Reader = (path: string) => Promise<number>;

const service: Reader = async (path) => {
  let fields = 0;
  const records = new CsvRecords(MAX_RECORD_CHARS);
  const out = { record: (f: string[]) => void (fields += f.length), unreadable: () => undefined };
  const decoder = new StringDecoder('utf8');
  for await (const chunk of createReadStream(path) as AsyncIterable<Buffer>) records.push(decoder.write(chunk), out);
  records.push(decoder.end(), out);
  records.end(out);
  return fields;
};

const papaStream: Reader = (path) =>
  new Promise((resolve, reject) => {
    let fields = 0;
    Papa.parse<string[], NodeJS.ReadableStream>(createReadStream(path, 'utf8') as never, {
      skipEmptyLines: true,
      chunk: (result) => result.data.forEach((r) => (fields += r.length)),
      complete: () => resolve(fields),
      error: reject,
    });
  });

const csvParseStrict: Reader = (path) =>
  new Promise((resolve, reject) => {
    let fields = 0;
    const parser = csvParse({ bom: true, skip_empty_lines: true, relax_column_count: true, skip_records_with_error: true, max_record_size: MAX_RECORD_CHARS });
    parser.on('readable', () => {
      for (let r: string[] | null; (r = parser.read() as string[] | null) !== null; ) fields += r.length;
    });
    parser.on('end', () => resolve(fields));
    parser.on('error', reject);
    createReadStream(path).pipe(parser);
  });

const READERS: Record<string, Reader> = { 'CsvRecords (papaparse 5.7.1 Parser + quote checks)': service, 'papaparse 5.7.1 stream + chunk': papaStream, 'csv-parse 6.2.1 (strict, batches)': csvParseStrict };

async function cpuMsOf(reader: Reader, path: string): Promise<{ cpuMs: number; fields: number }> {
  const from = process.cpuUsage();
  const fields = await reader(path);
  const { user, system } = process.cpuUsage(from);
  return { cpuMs: Math.round((user + system) / 1000), fields };
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function main(): Promise<void> {
  const dir = join(tmpdir(), 'taskyard-bench-csv-readers');
  mkdirSync(dir, { recursive: true });
  const plan = planFor(ROWS);
  new AdmZip(await makeImportZip(plan, dir)).extractAllTo(dir, true);
  const rows = [];
  for (const file of ['spelling_results.csv', 'assessment_scores.csv']) {
    const path = join(dir, file);
    const cpu: Record<string, number[]> = {};
    const fields = new Set<number>();
    // Alternated: every reader once per round, so the machine's load falls on each alike.
    for (let round = 0; round < ROUNDS; round++) {
      for (const [name, reader] of Object.entries(READERS)) {
        const r = await cpuMsOf(reader, path);
        (cpu[name] ??= []).push(r.cpuMs);
        fields.add(r.fields);
      }
    }
    if (fields.size !== 1) throw new Error(`the readers disagree on ${file}: ${[...fields].join(', ')} fields`);
    for (const [reader, ms] of Object.entries(cpu)) rows.push({ file, reader, 'CPU ms (median)': median(ms), 'CPU ms (each round)': ms.join(' ') });
  }
  rmSync(dir, { recursive: true, force: true });
  printTable(`CSV readers on the files of a ${plan.rows}-row import zip (${ROUNDS} rounds, loadavg ${loadavg()[0].toFixed(1)})`, rows);
  const file = writeResults(`csv-readers-${plan.rows}`, { measuredAt: new Date().toISOString(), plan, rounds: ROUNDS, rows });
  console.log(JSON.stringify({ file, rows }));
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exitCode = 1;
});
