import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { inspectZip, ZipRejected, type ZipLimits } from '@taskyard/archive';
import { cloudImport, type CloudImportParams } from '@taskyard/contracts';
import { ensureSchoolIndexes } from '@taskyard/school-data';
import { defineWorker, PermanentJobError, type JobContext, type JobOutcome } from '@taskyard/worker';
import { extractKnownFiles } from './extract-zip';
import { fetchUpload } from './fetch-upload';
import { importFiles } from './import-files';
import { importShortfalls, totalsOf, type ImportSummary } from './import-summary';
import { KNOWN_FILES } from './known-files';
import { SchoolLeases, type LeaseOptions } from './school-lease';
import { touchedSchools } from './touched-schools';
import { createWorkDir, defaultWorkRoot, removeWorkDir, type WorkDir } from './work-dir';

type Ctx = JobContext<CloudImportParams>;

export interface CloudImportOptions {
  limits: ZipLimits;
  /** Where each task's private work dir is made. */
  workRoot: string;
  lease: LeaseOptions;
  /** Most schools one zip may write to. */
  maxSchools: number;
  /** Largest uncompressed size of one known file. */
  maxFileBytes: number;
}

export const DEFAULT_OPTIONS: CloudImportOptions = {
  limits: { maxEntries: cloudImport.upload!.maxEntries, maxUncompressedBytes: cloudImport.upload!.maxUncompressedBytes },
  workRoot: defaultWorkRoot(),
  lease: { waitMs: 5 * 60_000, staleMs: cloudImport.limits.timeoutMs + 5 * 60_000 },
  maxSchools: 500,
  // ~2.5 million rows of the widest file: far past any school's data, and a bound on what one file costs.
  maxFileBytes: 256 * 1024 * 1024,
};

/** The zip is checked (central directory only) before a byte is extracted; a bad zip fails for good. */
async function inspect(ctx: Ctx, dir: WorkDir, limits: ZipLimits): Promise<void> {
  try {
    const summary = await inspectZip(dir.zipPath, limits);
    ctx.log(`zip checked: ${summary.entries.length} entries, ${summary.uncompressedBytes} bytes uncompressed`);
  } catch (err) {
    if (err instanceof ZipRejected) throw new PermanentJobError(err.problem, err.message);
    throw err;
  }
}

async function importZip(ctx: Ctx, uploadKey: string, dir: WorkDir, opts: CloudImportOptions): Promise<JobOutcome> {
  const startedAt = new Date();
  const bytes = await fetchUpload(ctx.store, uploadKey, dir.zipPath, ctx.signal);
  ctx.log(`fetched ${ctx.task.params.fileName ?? uploadKey} (${bytes} bytes)`);
  await inspect(ctx, dir, opts.limits);
  // The indexes are made (or found there) in the database while this process extracts the zip and reads its schools.
  const indexed = ensureSchoolIndexes(ctx.db);
  indexed.catch(() => undefined);
  const extracted = await extractKnownFiles(dir.zipPath, dir.inbound, ctx.signal, opts.maxFileBytes);
  for (const name of extracted.unknown) ctx.log(`${name}: not a known file (expected ${KNOWN_FILES.join(', ')}); skipped`, 'warn');
  for (const name of extracted.duplicates) ctx.log(`${name}: a second file of that name; skipped`, 'warn');
  if (extracted.files.size === 0) throw new PermanentJobError('no-known-files', `the zip holds none of ${KNOWN_FILES.join(', ')}`);
  ctx.progress(5);

  const paths = [...extracted.files.values()].map((f) => f.path);
  const schools = await touchedSchools(paths, ctx.signal);
  if (schools.length > opts.maxSchools) throw new PermanentJobError('too-many-schools', `the zip writes to ${schools.length} schools; at most ${opts.maxSchools}`);
  const total = [...extracted.files.values()].reduce((n, f) => n + f.bytes, 0) || 1;
  let read = 0;
  const leases = new SchoolLeases(ctx.db, ctx.task.id, opts.lease);
  await leases.acquire(schools, ctx.signal, (school, holder) => ctx.log(`waiting for import ${holder} to finish with school ${school}`));
  let files: ImportSummary['files'];
  try {
    ctx.progress(10);
    await indexed;
    files = await importFiles(ctx, extracted, schools, dir.outbound, { onBytes: (n) => ctx.progress(10 + Math.floor((85 * (read += n)) / total)) });
  } finally {
    await leases.release();
  }
  const finishedAt = new Date();
  const summary: ImportSummary = {
    taskId: ctx.task.id,
    fileName: ctx.task.params.fileName,
    startedAt: startedAt.toISOString(),
    finishedAt: finishedAt.toISOString(),
    durationMs: finishedAt.getTime() - startedAt.getTime(),
    schools,
    files,
    unknownFiles: extracted.unknown,
    duplicateFiles: extracted.duplicates,
    totals: totalsOf(files),
  };
  const summaryPath = join(dir.outbound, 'summary.json');
  await writeFile(summaryPath, `${JSON.stringify(summary, null, 2)}\n`);
  await ctx.artifacts.write('summary.json', JSON.stringify(summary, null, 2), 'application/json');
  ctx.progress(100);
  return { result: { schools, ...summary.totals, unknownFiles: extracted.unknown.length, ...importShortfalls(summary) } };
}

/** The upload is deleted once no attempt will need it again: success, a permanent failure, a cancel, the last attempt. */
function uploadNoLongerNeeded(ctx: Ctx, err: unknown): boolean {
  return err === undefined || err instanceof PermanentJobError || ctx.signal.aborted || ctx.task.attempt >= ctx.task.maxAttempts;
}

async function cleanUp(ctx: Ctx, dir: WorkDir, uploadKey: string, err: unknown): Promise<void> {
  await removeWorkDir(dir).catch((e: unknown) => ctx.log(`could not remove the work dir: ${(e as Error).message}`, 'warn'));
  if (!uploadNoLongerNeeded(ctx, err)) {
    ctx.log('kept the uploaded zip for the next attempt');
    return;
  }
  await ctx.store.deleteKeys([uploadKey]).catch((e: unknown) => ctx.log(`could not delete the uploaded zip: ${(e as Error).message}`, 'warn'));
}

async function cloudImportHandler(ctx: Ctx, opts: CloudImportOptions): Promise<JobOutcome> {
  const uploadKey = ctx.task.params.uploadKey;
  if (!uploadKey) throw new PermanentJobError('upload-missing', 'the task has no uploaded file (params.uploadKey)');
  const dir = await createWorkDir(opts.workRoot, ctx.task.id);
  let failure: unknown;
  try {
    return await importZip(ctx, uploadKey, dir, opts);
  } catch (err) {
    failure = err ?? new Error('failed');
    throw err;
  } finally {
    await cleanUp(ctx, dir, uploadKey, failure);
  }
}

/** The worker, with options a test or a deployment may override (limits, work dir, lease timing). */
export function createCloudImportWorker(overrides: Partial<CloudImportOptions> = {}) {
  const opts = { ...DEFAULT_OPTIONS, ...overrides };
  return defineWorker<CloudImportParams>({ type: 'cloud-import', handler: (ctx) => cloudImportHandler(ctx, opts) });
}

export const cloudImportWorker = createCloudImportWorker();
