import type { Connection } from 'mongoose';
import type { AssessmentReportParams } from '@taskyard/contracts';
import { schoolModels, type AssessmentBatchRecord, type AssessmentScoreRecord } from '@taskyard/school-data';
import { scorePercent } from './score-percent';

/** One line of a batch report (seed 001's assessment-score-report columns, plus the pupil's name). */
export interface ScoreRow {
  batch_id: string;
  channel: string;
  pupil_id: string;
  pupil_name: string;
  content_id: string;
  subject: string;
  score: number;
  max_score: number;
  percent: number;
  attempted_at: string;
}

export const SCORE_COLUMNS: (keyof ScoreRow)[] = ['batch_id', 'channel', 'pupil_id', 'pupil_name', 'content_id', 'subject', 'score', 'max_score', 'percent', 'attempted_at'];

type ScoreFilter = { batchId: string; subject?: { $in: string[] }; score?: { $gte?: number; $lte?: number } };

export function scoreFilter(batchId: string, content: AssessmentReportParams['contentFilters']): ScoreFilter {
  const filter: ScoreFilter = { batchId };
  if (content?.subjects?.length) filter.subject = { $in: content.subjects };
  if (content?.minScore !== undefined || content?.maxScore !== undefined) {
    filter.score = {};
    if (content.minScore !== undefined) filter.score.$gte = content.minScore;
    if (content.maxScore !== undefined) filter.score.$lte = content.maxScore;
  }
  return filter;
}

/** What the read left out: scores of pupils the batch's school does not have (not the school's to report). */
export interface ScoreStats {
  skipped: number;
}

/** The batch's scores as report rows, streamed from one cursor; pupils' names come from their school. */
export async function* scoreRows(db: Connection, batch: AssessmentBatchRecord, content: AssessmentReportParams['contentFilters'], signal: AbortSignal, stats: ScoreStats = { skipped: 0 }): AsyncGenerator<ScoreRow> {
  const m = schoolModels(db);
  const names = new Map((await m.Pupil.find({ schoolId: batch.schoolId }, { givenName: 1, familyName: 1 }).lean()).map((p) => [p._id, `${p.givenName} ${p.familyName}`]));
  const cursor = m.AssessmentScore.collection.find<AssessmentScoreRecord>(scoreFilter(batch._id, content), { batchSize: 2000 }).sort({ pupilId: 1, contentId: 1 });
  try {
    for await (const s of cursor) {
      signal.throwIfAborted();
      const name = names.get(s.pupilId);
      if (name === undefined) {
        stats.skipped++;
        continue;
      }
      yield {
        batch_id: batch._id,
        channel: batch.channel,
        pupil_id: s.pupilId,
        pupil_name: name,
        content_id: s.contentId,
        subject: s.subject,
        score: s.score,
        max_score: s.maxScore,
        percent: scorePercent(s.score, s.maxScore),
        attempted_at: s.attemptedAt,
      };
    }
  } finally {
    await cursor.close();
  }
}
