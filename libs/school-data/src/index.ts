export type {
  SchoolRecord,
  ClassRecord,
  PupilRecord,
  SpellingTestRecord,
  SpellingWeekRecord,
  ChannelRecord,
  AssessmentBatchRecord,
  AssessmentScoreRecord,
  PupilCheckRecord,
  CheckSubmission,
} from './records';
export { CHECK_SUBMISSIONS } from './records';
export { packCheck, unpackCheck, CheckUnreadable, MAX_UNPACKED_CHECK_BYTES } from './check-archive';
export { completedCheck, submittedCheck, pupilChecksOf, pupilCheckCode, submissionOf, QUESTIONS_PER_CHECK } from './generate-checks';
export { COLLECTIONS, schoolModels, ensureSchoolIndexes } from './models';
export type { SchoolModels } from './models';
export { schoolId, classId, pupilId, batchId, spellingWeekId, spellingTestId, assessmentScoreId } from './ids';
export { isIsoDate, isMonday, addWeeks, mondayOf } from './weeks';
export { packResults, scoreOf, percentOf, isPackedResults } from './results';
export type { Score } from './results';
export { SeededRandom, hashString } from './random';
export { insertNew } from './insert-new';
export type { InsertOutcome, InsertTarget } from './insert-new';
export { generateSchool, DEFAULT_SHAPE } from './generate-school';
export type { DatasetShape, SeedItem } from './generate-school';
export { seedDataset } from './seed-dataset';
export type { SeedCounts } from './seed-dataset';
