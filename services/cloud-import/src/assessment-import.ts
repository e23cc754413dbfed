import { assessmentScoreId, insertNew, schoolModels, type AssessmentBatchRecord, type AssessmentScoreRecord } from '@taskyard/school-data';
import { dateTime, id, number, text } from './field-rules';
import type { FileImporter, ImportContext } from './import-context';
import type { IdempotentWriter } from './idempotent-writer';
import { ownedWriter } from './owned-writer';
import { isRepeat } from './row-checks';
import { RowRules, type Parsed } from './row-rules';

const SCORE_COLUMNS = {
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
export const SCORE_ROWS = new RowRules(SCORE_COLUMNS);
type ScoreRow = Parsed<typeof SCORE_COLUMNS>;

/** A batch named by a score row must be the school's and on the channel the row says; new ones are created. */
function checkBatch(c: ImportContext, row: number, v: { batch_id: string; school_id: string; channel: string }, created: AssessmentBatchRecord[]): boolean {
  const batch = c.refs.knownBatch(v.batch_id);
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

/** Checks one row and queues its score; false when the row is refused (each problem reported). */
function addScore(c: ImportContext, writer: IdempotentWriter<AssessmentScoreRecord>, row: number, v: ScoreRow, created: AssessmentBatchRecord[]): boolean {
  const scoreId = assessmentScoreId(v.batch_id, v.pupil_id, v.content_id);
  if (isRepeat(c.sink, writer, scoreId, row, 'content_id', `the score of pupil ${v.pupil_id} for content ${v.content_id} of batch ${v.batch_id}`)) return false;
  if (v.max_score <= 0 || v.score > v.max_score) {
    c.sink.add({ row, column: v.max_score <= 0 ? 'max_score' : 'score', reason: v.max_score <= 0 ? 'must be more than 0' : `${v.score} is more than max_score ${v.max_score}` });
    return false;
  }
  const pupil = c.refs.pupils.get(v.pupil_id);
  if (!pupil || pupil.schoolId !== v.school_id) {
    c.sink.add({ row, column: 'pupil_id', reason: pupil ? `pupil ${v.pupil_id} is in school ${pupil.schoolId}` : `no pupil ${v.pupil_id} in school ${v.school_id}` });
    return false;
  }
  if (!checkBatch(c, row, v, created)) return false;
  writer.add(
    // The pupil's ids from the refs, not the row's text (see PupilRef).
    { _id: scoreId, batchId: v.batch_id, schoolId: pupil.schoolId, pupilId: pupil.pupilId, contentId: v.content_id, subject: v.subject, score: v.score, maxScore: v.max_score, attemptedAt: v.attempted_at },
    [row],
  );
  return true;
}

export const importAssessmentScores: FileImporter = async (rows, c) => {
  const m = schoolModels(c.db);
  const writer = await ownedWriter<AssessmentScoreRecord>(m.AssessmentScore.collection, c, 'pupil_id', 'score').load();
  const created: AssessmentBatchRecord[] = [];
  const batchField = SCORE_ROWS.columns.indexOf('batch_id');
  for await (const chunk of rows) {
    // The chunk's batches are looked up before its rows are checked (in row order): one query per batch, no await per row.
    await c.refs.loadBatches(new Set(chunk.map((row) => row.fields[batchField])));
    for (const row of chunk) {
      const v = SCORE_ROWS.parse(row, c.sink);
      if (v) addScore(c, writer, row.row, v, created);
    }
    await writer.room();
  }
  const counts = await writer.close();
  await insertNew(m.AssessmentBatch.collection, created);
  await insertNew(m.Channel.collection, [...new Set(created.map((b) => b.channel))].map((ch) => ({ _id: ch, name: ch })));
  return counts;
};
