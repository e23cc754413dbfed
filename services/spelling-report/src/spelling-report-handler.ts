import type { SpellingReportParams } from '@taskyard/contracts';
import { defineWorker, type JobContext } from '@taskyard/worker';
import { writeCsv } from './csv-report';
import { readGrids } from './read-grids';
import { resolveScope } from './report-scope';
import { streamArtifact } from './stream-artifact';
import { WeekAxis } from './week-axis';
import { writeWorkbook, XLSX_CONTENT_TYPE } from './xlsx-report';

/** Reading is most of the work; the last 10% is writing the files. */
const READ_SHARE = 90;

async function spellingReport(ctx: JobContext<SpellingReportParams>): Promise<{ result: Record<string, unknown> }> {
  const params = ctx.task.params;
  const scope = await resolveScope(ctx.db, params);
  const axis = new WeekAxis(params.from, params.to);
  ctx.log(`spelling report for ${scope.school.name} (${scope.school._id}): ${scope.classes.length} class(es), weeks from ${params.from} to ${params.to}`);
  const pupilsInScope = params.scope === 'class' ? [...scope.pupils.values()].filter((p) => p.classId === params.classId).length : scope.pupils.size;
  // An estimate (every pupil, every week), so progress needs no count query: a count costs a scan here.
  const expected = Math.max(1, pupilsInScope * axis.length);
  const started = Date.now();
  const { grids, stats } = await readGrids(ctx.db, scope, axis, ctx.signal, (docs) => ctx.progress(Math.min(READ_SHARE, Math.floor((READ_SHARE * docs) / expected))));
  ctx.progress(READ_SHARE);
  ctx.log(`read ${stats.docs} weekly tests in ${Date.now() - started} ms`);
  const xlsx = await streamArtifact(ctx, 'report.xlsx', XLSX_CONTENT_TYPE, (out) => writeWorkbook(out, scope, axis, grids));
  ctx.progress(95);
  const csv = await streamArtifact(ctx, 'report.csv', 'text/csv', (out) => writeCsv(out, scope, axis, grids));
  ctx.progress(100);
  ctx.log(`wrote report.xlsx (${xlsx.size} bytes) and report.csv (${csv.size} bytes)`);
  return { result: { schoolId: scope.school._id, classes: grids.length, pupils: grids.reduce((n, g) => n + g.summary().pupils, 0), tests: stats.docs - stats.skipped, docsRead: stats.docs } };
}

export const spellingReportWorker = defineWorker<SpellingReportParams>({ type: 'spelling-report', handler: spellingReport });
