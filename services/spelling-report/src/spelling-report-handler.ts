import type { SpellingReportParams } from '@taskyard/contracts';
import { defineWorker, streamArtifact, type JobContext } from '@taskyard/worker';
import { writeCsv } from './csv-report';
import { distinctPupils } from './class-grid';
import { buildGrids, readCells } from './read-grids';
import { loadRoster, resolveTarget } from './report-scope';
import { WeekAxis } from './week-axis';
import { writeWorkbook, XLSX_CONTENT_TYPE } from './xlsx-report';

/** Reading is most of the work; the last 10% is writing the files. */
const READ_SHARE = 90;
/** Progress needs no count query (a count costs a scan here): every pupil, every week is the estimate. */
const PUPILS_PER_CLASS_GUESS = 30;

async function spellingReport(ctx: JobContext<SpellingReportParams>): Promise<{ result: Record<string, unknown> }> {
  const params = ctx.task.params;
  const target = await resolveTarget(ctx.db, params);
  const axis = new WeekAxis(params.from, params.to);
  ctx.log(`spelling report for ${target.school.name} (${target.school._id}), ${params.scope} ${params.classId ?? ''}, ${axis.describe(params.from, params.to)}`);
  const started = Date.now();
  // The roster (classes, names) loads while the tests stream in: it is small, and the read is the long pole.
  let expected = params.scope === 'class' ? PUPILS_PER_CLASS_GUESS * axis.length : Infinity;
  const rosterLoaded = loadRoster(ctx.db, target).then((roster) => {
    if (params.scope === 'school') expected = Math.max(1, roster.pupils.size * axis.length);
    return roster;
  });
  const [{ cells, stats }, roster] = await Promise.all([
    readCells(ctx.db, target, axis, ctx.signal, (docs) => ctx.progress(Math.min(READ_SHARE, Math.floor((READ_SHARE * docs) / expected)))),
    rosterLoaded,
  ]);
  const grids = buildGrids(cells, roster, axis, stats);
  ctx.progress(READ_SHARE);
  ctx.log(`read ${stats.docs} weekly tests of ${grids.length} class(es) in ${Date.now() - started} ms${stats.skipped ? `; ${stats.skipped} not the report's (outside its weeks, classes or pupils) skipped` : ''}`);
  const scope = { ...target, ...roster };
  // Both files at once: their uploads' round trips overlap.
  const [xlsx, csv] = await Promise.all([
    streamArtifact(ctx, 'report.xlsx', XLSX_CONTENT_TYPE, (out) => writeWorkbook(out, scope, axis, grids)),
    streamArtifact(ctx, 'report.csv', 'text/csv', (out) => writeCsv(out, scope, axis, grids)),
  ]);
  ctx.progress(100);
  ctx.log(`wrote report.xlsx (${xlsx.size} bytes) and report.csv (${csv.size} bytes)`);
  return { result: { schoolId: target.school._id, classes: grids.length, pupils: distinctPupils(grids), tests: stats.docs - stats.skipped, docsRead: stats.docs } };
}

export const spellingReportWorker = defineWorker<SpellingReportParams>({ type: 'spelling-report', handler: spellingReport });
