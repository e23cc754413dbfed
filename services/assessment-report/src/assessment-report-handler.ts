import type { AssessmentReportParams } from '@taskyard/contracts';
import type { AssessmentBatchRecord } from '@taskyard/school-data';
import { defineWorker, PermanentJobError, streamArtifact, type JobContext, type JobOutcome } from '@taskyard/worker';
import { selectBatches } from './batch-selection';
import { writeCsv, writeJson } from './report-writers';
import { scoreRows, type ScoreStats } from './score-rows';

type Ctx = JobContext<AssessmentReportParams>;

/** `report-<batchId>.csv|json`, with the id made safe for a file name. */
export const reportName = (batchId: string, format: 'csv' | 'json'): string => `report-${batchId.replace(/[^A-Za-z0-9._-]/g, '_')}.${format}`;

async function reportOneBatch(ctx: Ctx, batch: AssessmentBatchRecord): Promise<JobOutcome> {
  const { contentFilters, output_format: format } = ctx.task.params;
  const stats: ScoreStats = { skipped: 0 };
  const rows = scoreRows(ctx.db, batch, contentFilters, ctx.signal, stats);
  let count = 0;
  const file = await streamArtifact(ctx, reportName(batch._id, format), format === 'csv' ? 'text/csv' : 'application/json', async (out) => {
    count = format === 'csv' ? await writeCsv(out, rows) : await writeJson(out, batch, rows);
  });
  ctx.progress(100);
  ctx.log(`batch ${batch._id} (${batch.channel}): ${count} score(s) in ${file.name}`);
  if (stats.skipped) ctx.log(`${stats.skipped} score(s) of pupils school ${batch.schoolId} does not have: not in the report`, 'warn');
  return { result: { batchId: batch._id, rows: count } };
}

/** Seed 002's fan-out: one child task per batch on this queue; the parent finishes when they all have. */
async function fanOut(ctx: Ctx, batches: AssessmentBatchRecord[]): Promise<JobOutcome> {
  const p = ctx.task.params;
  const children = batches.map((b) => ({
    title: `Assessment report, batch ${b._id}`,
    params: { ...p, batchFilters: { ids: [b._id], channels: p.batchFilters.channels } },
  }));
  const ids = await ctx.fanOut(children);
  ctx.log(`fanned out ${ids.length} child task(s), one per batch`);
  return { result: { fannedOut: ids.length, batches: batches.map((b) => b._id) } };
}

async function assessmentReport(ctx: Ctx): Promise<JobOutcome> {
  const filters = ctx.task.params.batchFilters;
  const { selected, outOfChannel } = await selectBatches(ctx.db, filters);
  if (outOfChannel.length) ctx.log(`not in channels ${filters.channels.join(', ')}, skipped: ${outOfChannel.join(', ')}`, 'warn');
  if (selected.length === 0) throw new PermanentJobError('no-batch-in-channels', `none of the batches is published on ${filters.channels.join(', ')}`);
  return filters.ids.length > 1 ? fanOut(ctx, selected) : reportOneBatch(ctx, selected[0]);
}

export const assessmentReportWorker = defineWorker<AssessmentReportParams>({ type: 'assessment-report', handler: assessmentReport });
