import { assessmentScoreId, insertNew, schoolModels, type AssessmentBatchRecord, type AssessmentScoreRecord } from '@taskyard/school-data';
import { dateTime, id, number, parseRow, text } from './field-rules';
import type { FileImporter, ImportContext } from './import-context';
import { ownedWriter } from './owned-writer';
import { isRepeat } from './row-checks';

export const SCORE_COLUMNS = {
  school_id: id,
  batch_id: id,
  channel: id,
  pupil_id: id,
  content_id: id,
  subject: text(32),
  score: number(0, 1_000_000),
  max_score: number(0, 1_000_000),
  attempted_at: dateTime,
};

/** A batch named by a score row must be the school's and on the channel the row says; new ones are created. */
async function checkBatch(c: ImportContext, row: number, v: { batch_id: string; school_id: string; channel: string }, created: AssessmentBatchRecord[]): Promise<boolean> {
  const batch = await c.refs.batch(v.batch_id);
  if (batch && batch.schoolId !== v.school_id) {
    c.sink.add({ row, column: 'batch_id', reason: `batch ${v.batch_id} belongs to school ${batch.schoolId}` });
    return false;
  }
  if (batch && batch.channel !== v.channel) {
    c.sink.add({ row, column: 'channel', reason: `batch ${v.batch_id} is published on channel ${batch.channel}` });
    return false;
  }
  if (!batch) {
    c.refs.noteBatch(v.batch_id, v.school_id, v.channel);
    created.push({ _id: v.batch_id, schoolId: v.school_id, channel: v.channel, name: v.batch_id });
  }
  return true;
}

export const importAssessmentScores: FileImporter = async (rows, c) => {
  const m = schoolModels(c.db);
  const writer = ownedWriter<AssessmentScoreRecord>(m.AssessmentScore.collection, c, 'pupil_id', 'score');
  const created: AssessmentBatchRecord[] = [];
  for await (const row of rows) {
    const v = parseRow(row, SCORE_COLUMNS, c.sink);
    if (!v) continue;
    const scoreId = assessmentScoreId(v.batch_id, v.pupil_id, v.content_id);
    if (await isRepeat(c.sink, writer, scoreId, row.row, 'content_id', `the score of pupil ${v.pupil_id} for content ${v.content_id} of batch ${v.batch_id}`)) continue;
    if (v.max_score <= 0 || v.score > v.max_score) {
      c.sink.add({ row: row.row, column: v.max_score <= 0 ? 'max_score' : 'score', reason: v.max_score <= 0 ? 'must be more than 0' : `${v.score} is more than max_score ${v.max_score}` });
      continue;
    }
    const pupil = c.refs.pupils.get(v.pupil_id);
    if (!pupil || pupil.schoolId !== v.school_id) {
      c.sink.add({ row: row.row, column: 'pupil_id', reason: pupil ? `pupil ${v.pupil_id} is in school ${pupil.schoolId}` : `no pupil ${v.pupil_id} in school ${v.school_id}` });
      continue;
    }
    if (!(await checkBatch(c, row.row, v, created))) continue;
    await writer.add(
      {
        _id: scoreId,
        batchId: v.batch_id,
        schoolId: v.school_id,
        pupilId: v.pupil_id,
        contentId: v.content_id,
        subject: v.subject,
        score: v.score,
        maxScore: v.max_score,
        attemptedAt: v.attempted_at,
      },
      [row.row],
    );
  }
  const counts = await writer.close();
  await insertNew(m.AssessmentBatch.collection, created);
  await insertNew(m.Channel.collection, [...new Set(created.map((b) => b.channel))].map((ch) => ({ _id: ch, name: ch })));
  return counts;
};
