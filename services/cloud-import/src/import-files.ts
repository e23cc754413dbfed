import { createReadStream } from 'node:fs';
import { join } from 'node:path';
import { ensureSchoolIndexes, insertNew, schoolModels } from '@taskyard/school-data';
import type { JobContext } from '@taskyard/worker';
import { readCsvRows, type CsvStats } from './csv-rows';
import type { Extracted } from './extract-zip';
import { FILE_IMPORTERS } from './file-importers';
import type { FileReport } from './file-report';
import { ImportRefs } from './import-refs';
import type { ImportSummary } from './import-summary';
import { KNOWN_FILES, type KnownFile } from './known-files';
import { RejectedRowsFile } from './rejections';

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

async function importFile(ctx: Ctx, name: KnownFile, file: Extracted['files'] extends Map<KnownFile, infer F> ? F : never, refs: ImportRefs, schools: string[], outbound: string, progress: ImportProgress): Promise<FileReport & { refused?: string }> {
  const { columns, run } = FILE_IMPORTERS[name];
  const sink = new RejectedRowsFile(join(outbound, `rejected-${name}`));
  const stats: CsvStats = { dataRows: 0 };
  const rows = readCsvRows(file.path, { required: columns, sink, stats, onBytes: progress.onBytes, signal: ctx.signal });
  const documents = await run(rows, { db: ctx.db, refs, schools, sink, signal: ctx.signal });
  await sink.close();
  const rejected = stats.refused ? 0 : sink.rows;
  const report: FileReport & { refused?: string } = { entry: file.entry, rows: stats.dataRows, accepted: stats.dataRows - rejected, rejected, documents };
  if (stats.refused) report.refused = stats.refused;
  if (sink.written) {
    await ctx.artifacts.write(`rejected-${name}`, createReadStream(sink.path), 'text/csv');
    report.rejectedFile = `rejected-${name}`;
  }
  ctx.log(`${name}: ${report.rows} row(s), ${report.accepted} accepted, ${rejected} rejected${stats.refused ? ` (file refused: ${stats.refused})` : ''}; documents ${JSON.stringify(documents)}`);
  return report;
}

/** Imports the extracted files in dependency order (classes, pupils, then what refers to pupils). */
export async function importFiles(ctx: Ctx, extracted: Extracted, schools: string[], outbound: string, progress: ImportProgress): Promise<ImportSummary['files']> {
  await ensureSchoolIndexes(ctx.db);
  await ensureSchools(ctx, schools);
  const refs = await ImportRefs.load(ctx.db, schools);
  const files: ImportSummary['files'] = {};
  for (const name of KNOWN_FILES) {
    const file = extracted.files.get(name);
    if (file) files[name] = await importFile(ctx, name, file, refs, schools, outbound, progress);
  }
  return files;
}
