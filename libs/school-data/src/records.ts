/**
 * The school dataset, as the reports read it and the imports write it. Shaped for FerretDB v1, which
 * reads about 8,500 flat documents/s but only about 1,000/s of documents holding 20 subdocuments: a
 * pupil's weekly test is ONE flat document whose word results are packed into a string, never one
 * document per word. Every `_id` is deterministic, so a re-seed or a re-import inserts the same ids
 * and a duplicate key means "already there".
 */

export interface SchoolRecord {
  _id: string;
  name: string;
}

export interface ClassRecord {
  _id: string;
  schoolId: string;
  name: string;
  yearGroup: number;
}

export interface PupilRecord {
  _id: string;
  schoolId: string;
  classId: string;
  givenName: string;
  familyName: string;
}

/** A week's word list: shared by every pupil who sat the same words, so results only hold 0s and 1s. */
export interface SpellingTestRecord {
  /** `<schoolId>:<week>:<hash of the words>` (see `spellingTestId`). */
  _id: string;
  schoolId: string;
  week: string;
  words: string[];
}

/** One pupil's spelling test of one week: the hot document of the spelling report. */
export interface SpellingWeekRecord {
  /** `<pupilId>:<week>`. */
  _id: string;
  schoolId: string;
  classId: string;
  pupilId: string;
  /** The Monday of the week, `YYYY-MM-DD` (ISO dates sort as strings). */
  week: string;
  testId: string;
  /** One character per word of the test, in its order: `1` spelt right, `0` wrong. */
  results: string;
}

export interface ChannelRecord {
  _id: string;
  name: string;
}

/** An assessment batch (seed 001): a cohort of pupils assessed together, published on a channel. */
export interface AssessmentBatchRecord {
  _id: string;
  schoolId: string;
  channel: string;
  name: string;
}

/** One pupil's score on one assessment content of a batch: flat, one document per score. */
export interface AssessmentScoreRecord {
  /** `<batchId>:<pupilId>:<contentId>`. */
  _id: string;
  batchId: string;
  schoolId: string;
  pupilId: string;
  contentId: string;
  subject: string;
  score: number;
  maxScore: number;
  /** ISO date-time of the attempt. */
  attemptedAt: string;
}

/** How a seeded pupil's browser will send the completed check: as it should, or broken in one of the ways the pipeline must catch. */
export const CHECK_SUBMISSIONS = ['valid', 'missing-answers', 'unreadable', 'unmarkable'] as const;
export type CheckSubmission = (typeof CHECK_SUBMISSIONS)[number];

/**
 * A check allocated to a pupil (seed 004's `mtc_admin.check`): its code, and the state the check pipeline's
 * notifier keeps (received, then complete or processing failure).
 */
export interface PupilCheckRecord {
  /** The check code. */
  _id: string;
  schoolId: string;
  pupilId: string;
  state: 'allocated' | 'received' | 'complete' | 'processing-failure';
  submission: CheckSubmission;
  receivedByServerAt?: Date;
  completedAt?: Date;
  mark?: number;
  maxMark?: number;
  processingFailedAt?: Date;
  processingError?: { code: string; message: string };
}
