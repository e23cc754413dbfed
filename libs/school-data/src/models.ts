import { Schema, type Connection, type Model } from 'mongoose';
import type {
  AssessmentBatchRecord,
  AssessmentScoreRecord,
  ChannelRecord,
  PupilCheckRecord,
  ClassRecord,
  PupilRecord,
  SchoolRecord,
  SpellingTestRecord,
  SpellingWeekRecord,
} from './records';

/** Collection names, stable because other tools (and the benchmarks) read them directly. */
export const COLLECTIONS = {
  schools: 'schools',
  classes: 'classes',
  pupils: 'pupils',
  spellingTests: 'spelling_tests',
  spellingWeeks: 'spelling_weeks',
  channels: 'channels',
  assessmentBatches: 'assessment_batches',
  assessmentScores: 'assessment_scores',
  pupilChecks: 'pupil_checks',
} as const;

export interface SchoolModels {
  School: Model<SchoolRecord>;
  Class: Model<ClassRecord>;
  Pupil: Model<PupilRecord>;
  SpellingTest: Model<SpellingTestRecord>;
  SpellingWeek: Model<SpellingWeekRecord>;
  Channel: Model<ChannelRecord>;
  AssessmentBatch: Model<AssessmentBatchRecord>;
  AssessmentScore: Model<AssessmentScoreRecord>;
  PupilCheck: Model<PupilCheckRecord>;
}

// No autoIndex: indexes are made once by `ensureSchoolIndexes`, not raced by every process that starts.
const options = { versionKey: false, autoIndex: false, strict: 'throw' } as const;
const req = <T>(type: T) => ({ type, required: true });

const schemas = {
  School: new Schema<SchoolRecord>({ _id: String, name: req(String) }, options),
  Class: new Schema<ClassRecord>({ _id: String, schoolId: req(String), name: req(String), yearGroup: req(Number) }, options)
    .index({ schoolId: 1 }),
  Pupil: new Schema<PupilRecord>(
    { _id: String, schoolId: req(String), classId: req(String), givenName: req(String), familyName: req(String) },
    options,
  )
    .index({ schoolId: 1 })
    .index({ classId: 1 }),
  SpellingTest: new Schema<SpellingTestRecord>({ _id: String, schoolId: req(String), week: req(String), words: req([String]) }, options)
    .index({ schoolId: 1, week: 1 }),
  SpellingWeek: new Schema<SpellingWeekRecord>(
    {
      _id: String,
      schoolId: req(String),
      classId: req(String),
      pupilId: req(String),
      week: req(String),
      testId: req(String),
      results: req(String),
    },
    options,
  )
    .index({ classId: 1, week: 1 })
    .index({ schoolId: 1, week: 1 }),
  Channel: new Schema<ChannelRecord>({ _id: String, name: req(String) }, options),
  AssessmentBatch: new Schema<AssessmentBatchRecord>(
    { _id: String, schoolId: req(String), channel: req(String), name: req(String) },
    options,
  ).index({ channel: 1 }),
  AssessmentScore: new Schema<AssessmentScoreRecord>(
    {
      _id: String,
      batchId: req(String),
      schoolId: req(String),
      pupilId: req(String),
      contentId: req(String),
      subject: req(String),
      score: req(Number),
      maxScore: req(Number),
      attemptedAt: req(String),
    },
    options,
  )
    .index({ batchId: 1 })
    // An import learns which scores a school already holds by this equality (knownDocuments).
    .index({ schoolId: 1 }),
  // Read and written by check code (`_id`) only.
  PupilCheck: new Schema<PupilCheckRecord>(
    {
      _id: String,
      schoolId: req(String),
      pupilId: req(String),
      state: req(String),
      submission: req(String),
      receivedByServerAt: Date,
      completedAt: Date,
      mark: Number,
      maxMark: Number,
      processingFailedAt: Date,
      processingError: { code: String, message: String },
    },
    options,
  ),
};

function model<T>(conn: Connection, name: keyof typeof schemas, collection: string): Model<T> {
  return (conn.models[name] as Model<T> | undefined) ?? conn.model<T>(name, schemas[name] as unknown as Schema<T>, collection);
}

/** The dataset's models on one connection (cached by the connection). */
export function schoolModels(conn: Connection): SchoolModels {
  return {
    School: model(conn, 'School', COLLECTIONS.schools),
    Class: model(conn, 'Class', COLLECTIONS.classes),
    Pupil: model(conn, 'Pupil', COLLECTIONS.pupils),
    SpellingTest: model(conn, 'SpellingTest', COLLECTIONS.spellingTests),
    SpellingWeek: model(conn, 'SpellingWeek', COLLECTIONS.spellingWeeks),
    Channel: model(conn, 'Channel', COLLECTIONS.channels),
    AssessmentBatch: model(conn, 'AssessmentBatch', COLLECTIONS.assessmentBatches),
    AssessmentScore: model(conn, 'AssessmentScore', COLLECTIONS.assessmentScores),
    PupilCheck: model(conn, 'PupilCheck', COLLECTIONS.pupilChecks),
  };
}

/** Creates the indexes the reports' reads use (idempotent). */
export async function ensureSchoolIndexes(conn: Connection): Promise<void> {
  const models = schoolModels(conn);
  for (const m of Object.values(models) as Model<unknown>[]) await m.createIndexes();
}
