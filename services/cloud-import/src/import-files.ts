import { createReadStream } from 'node:fs';
import { join } from 'node:path';
import { insertNew, schoolModels } from '@taskyard/school-data';
import type { JobContext } from '@taskyard/worker';
import { readCsvRows, type CsvStats } from './csv-rows';
import type { Extracted } from './extract-zip';
import { FILE_IMPORTERS } from './file-importers';
import type { FileReport } from './file-report';
import { ImportRefs } from './import-refs';
import type { ImportSummary } from './import-summary';
import { IMPORT_STAGES, type KnownFile } from './known-files';
import { RejectedRowsFile } from './rejections';
import { WriteTracker } from './write-tracker';

type Ctx = JobContext<unknown>;

export interface ImportProgress {
  /** Called with the bytes of CSV read so far. */
  onBytes(n: number): void;
}

/** Schools named by an import that the dataset does not have yet are created, named after their id. */
async function ensureSchools(ctx: Ctx, schools: string[]): Promise<void> {
  const { inserted } = await insertNew(schoolModels(ctx.db).School.collection, schools.map((s) => ({ _id: s, name: s })));
  if (inserted) ctx.log(`created ${inserted} new school(s)`);
}

/** What every file of an import shares; `signal` also stops a file once another of its stage failed. */
interface FileJob {
  refs: ImportRefs;
  schools: string[];
  outbound: string;
  progress: ImportProgress;
  signal: AbortSignal;
}

type ExtractedFile = Extracted['files'] extends Map<KnownFile, infer F> ? F : never;
type FileOutcome = FileReport & { refused?: string };

async function importFile(ctx: Ctx, name: KnownFile, file: ExtractedFile, job: FileJob): Promise<FileOutcome> {
  const { columns, run } = FILE_IMPORTERS[name];
  const { refs, schools, signal } = job;
  const sink = new RejectedRowsFile(join(job.outbound, `rejected-${name}`));
  const stats: CsvStats = { dataRows: 0 };
  const rows = readCsvRows(file.path, { required: columns, sink, stats, onBytes: job.progress.onBytes, signal });
  const tracker = new WriteTracker();
  const documents = await run(rows, { db: ctx.db, refs, schools, sink, signal, tracker }).catch(async (err: unknown) => {
    await tracker.settled();
    throw err;
  });
  await sink.close();
  const rejected = stats.refused ? 0 : sink.rows;
  const report: FileOutcome = { entry: file.entry, rows: stats.dataRows, accepted: stats.dataRows - rejected, rejected, documents };
  if (stats.refused) report.refused = stats.refused;
  if (sink.written) {
    await ctx.artifacts.write(`rejected-${name}`, createReadStream(sink.path), 'text/csv');
    report.rejectedFile = `rejected-${name}`;
  }
  ctx.log(`${name}: ${report.rows} row(s), ${report.accepted} accepted, ${rejected} rejected${stats.refused ? ` (file refused: ${stats.refused})` : ''}; documents ${JSON.stringify(documents)}`);
  return report;
}

/**
 * Imports one stage's files at once. The first failure stops the others (through the signal) and is
 * thrown once every file has stopped: none is left writing behind a failed one (the caller releases the
 * schools' leases once this returns).
 */
async function importStage(ctx: Ctx, names: KnownFile[], extracted: Extracted, job: Omit<FileJob, 'signal'>): Promise<FileOutcome[]> {
  const stop = new AbortController();
  const signal = AbortSignal.any([ctx.signal, stop.signal]);
  let failure: { err: unknown } | undefined;
  const settled = await Promise.allSettled(
    names.map((name) =>
      importFile(ctx, name, extracted.files.get(name)!, { ...job, signal }).catch((err: unknown) => {
        failure ??= { err };
        stop.abort(err);
        throw err;
      }),
    ),
  );
  if (failure) throw failure.err;
  return settled.map((s) => (s as PromiseFulfilledResult<FileOutcome>).value);
}

/**
 * Imports the extracted files, once the school indexes are made (ensureSchoolIndexes), in dependency order
 * (IMPORT_STAGES: classes, pupils, then what refers to pupils). The files of one stage go at once: they
 * refer only to what earlier stages accepted and write their own collections, and one file's checks run
 * on this process's CPU while the other's batches are in the database (spelling rows are 80% of a
 * school's rows and 17% of its documents, scores the rest).
 */
export async function importFiles(ctx: Ctx, extracted: Extracted, schools: string[], outbound: string, progress: ImportProgress): Promise<ImportSummary['files']> {
  await ensureSchools(ctx, schools);
  const refs = await ImportRefs.load(ctx.db, schools);
  const files: ImportSummary['files'] = {};
  for (const stage of IMPORT_STAGES) {
    const present = stage.filter((name) => extracted.files.has(name));
    const reports = await importStage(ctx, present, extracted, { refs, schools, outbound, progress });
    present.forEach((name, i) => (files[name] = reports[i]));
  }
  return files;
}
