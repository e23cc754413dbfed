import { assessmentReportBatches, partialResult, type AssessmentReportParams, type TaskResult } from '@taskyard/contracts';
import type { AssessmentBatchRecord } from '@taskyard/school-data';
import { defineWorker, PermanentJobError, streamArtifact, type JobContext, type JobOutcome } from '@taskyard/worker';
import { selectBatches } from './batch-selection';
import { writeCsv, writeJson } from './report-writers';
import { scoreRows, type ScoreStats } from './score-rows';

type Ctx = JobContext<AssessmentReportParams>;

/** `report-<batchId>.csv|json`, with the id made safe for a file name. */
export const reportName = (batchId: string, format: 'csv' | 'json'): string => `report-${batchId.replace(/[^A-Za-z0-9._-]/g, '_')}.${format}`;

type Partial = Pick<TaskResult, 'partial'>;

/** Batches named but not on the chosen channels: reported as skipped, so the result says it is partial. */
function skippedBatches(outOfChannel: string[], named: number): Partial {
  return partialResult([{ count: outOfChannel.length, of: named, one: 'batch skipped (not on the chosen channels)', other: 'batches skipped (not on the chosen channels)' }]);
}

async function reportOneBatch(ctx: Ctx, batch: AssessmentBatchRecord, partial: Partial): Promise<JobOutcome> {
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
  const scoresLeftOut = { count: stats.skipped, one: 'score left out (pupil not in the school)', other: 'scores left out (pupils not in the school)' };
  return { result: { batchId: batch._id, rows: count, ...partialResult([...(partial.partial ?? []), scoresLeftOut]) } };
}

/**
 * Several batches: the task continues as the workflow `assessment-report-batches`, one child task per batch on
 * this queue (each with the same filters and its one batch); the task finishes when they all have, listing
 * their files. What it selected (and skipped) stays its result.
 */
function fanOut(ctx: Ctx, batches: AssessmentBatchRecord[], partial: Partial): JobOutcome {
  const p = ctx.task.params;
  const params = {
    ...p,
    batches: batches.map((b) => ({ ids: [b._id], channels: p.batchFilters.channels })),
    titles: batches.map((b) => `Assessment report, batch ${b._id}`),
  };
  ctx.log(`fanning out ${batches.length} child task(s), one per batch`);
  return { result: { fannedOut: batches.length, batches: batches.map((b) => b._id), ...partial }, continueAs: { workflow: assessmentReportBatches.name, params } };
}

async function assessmentReport(ctx: Ctx): Promise<JobOutcome> {
  const filters = ctx.task.params.batchFilters;
  const { selected, outOfChannel } = await selectBatches(ctx.db, filters);
  if (outOfChannel.length) ctx.log(`not in channels ${filters.channels.join(', ')}, skipped: ${outOfChannel.join(', ')}`, 'warn');
  if (selected.length === 0) throw new PermanentJobError('no-batch-in-channels', `${filters.ids.length ? 'none of the batches' : 'no batch'} is published on ${filters.channels.join(', ')}`);
  const partial = skippedBatches(outOfChannel, filters.ids.length);
  // By channel alone the batches are only known now: several fan out as several named ids do.
  const several = filters.ids.length === 0 ? selected.length > 1 : filters.ids.length > 1;
  return several ? fanOut(ctx, selected, partial) : reportOneBatch(ctx, selected[0], partial);
}

export const assessmentReportWorker = defineWorker<AssessmentReportParams>({ type: 'assessment-report', handler: assessmentReport });
