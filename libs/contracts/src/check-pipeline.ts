import { defineJobType } from './job-type';

/**
 * Seed 004's check pipeline: a pupil's completed check is received (stored as it came, keyed by school and
 * check code), validated against the complete-check schema, marked, and its outcome notified (the check's
 * state; a teacher's notification when validation or marking fails). One job type per step.
 */

const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;

/** The same check (school and check code) received twice within this window is processed once. */
export const CHECK_DUPLICATE_WINDOW_MS = DAY;

/** The seed's queue properties: TTL 14 days, dead-lettered on expiry (the platform's queues do both), lock 5 minutes. */
const CHECK_LIMITS = {
  messageTtlMs: 14 * DAY,
  timeoutMs: 5 * MINUTE,
  // A school submits a class's checks at once: the unfinished limit is per submitting service, not per pupil.
  unfinishedPerOwner: 100_000,
  prefetch: 16,
};

/** The largest compressed archive accepted (a large check is about 24 KB compressed). */
export const MAX_CHECK_ARCHIVE_CHARS = 512 * 1024;

/**
 * A completed check as the pupil's browser submits it (the seed's "v2" message): the school and check code
 * as top-level properties, the check itself in `archive` (gzip, base64).
 */
export interface SubmittedCheck {
  version: 2;
  schoolUUID: string;
  checkCode: string;
  archive: string;
}

const KEY_PART = { type: 'string', minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9._-]+$' } as const;

export const SUBMITTED_CHECK_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  required: ['version', 'schoolUUID', 'checkCode', 'archive'],
  properties: {
    version: { type: 'integer', const: 2, title: 'Message version', description: 'Always 2.' },
    schoolUUID: { ...KEY_PART, title: 'School', description: 'The school the check was taken in.' },
    checkCode: { ...KEY_PART, title: 'Check code', description: 'The code of the check the pupil took.' },
    archive: {
      type: 'string',
      title: 'Answers (compressed)',
      description: 'The completed check as the browser sent it: compressed, in base64.',
      minLength: 1,
      maxLength: MAX_CHECK_ARCHIVE_CHARS,
      pattern: '^[A-Za-z0-9+/=]+$',
    },
  },
} as const;

/** Names one stored check; what the validator, the marker and the notifier are given. */
export interface CheckRef {
  schoolUUID: string;
  checkCode: string;
  /** Set when the receiver found this check already received within the window: later steps do nothing. */
  duplicateOf?: string;
}

export const CHECK_REF_SCHEMA = {
  type: 'object',
  additionalProperties: true,
  required: ['schoolUUID', 'checkCode'],
  properties: {
    schoolUUID: { ...KEY_PART, title: 'School', description: 'The school the check was taken in.' },
    checkCode: { ...KEY_PART, title: 'Check code', description: 'The code of the check.' },
    duplicateOf: { type: 'string', maxLength: 200, title: 'Already received as', description: 'The earlier receipt of the same check.' },
  },
} as const;

/** The check's states, as the school's records show them (the seed's received / complete / processing failure). */
export const CHECK_STATES = ['allocated', 'received', 'complete', 'processing-failure'] as const;
export type CheckState = (typeof CHECK_STATES)[number];

/** What the notifier is told: the pipeline's outcome for one check. */
export interface CheckNotice extends CheckRef {
  outcome: 'complete' | 'processing-failure';
  /** Why processing failed (validation or marking). */
  error?: { code: string; message: string };
}

export const CHECK_NOTICE_SCHEMA = {
  type: 'object',
  additionalProperties: true,
  required: ['schoolUUID', 'checkCode', 'outcome'],
  properties: {
    ...CHECK_REF_SCHEMA.properties,
    outcome: { type: 'string', enum: ['complete', 'processing-failure'], title: 'Outcome', 'x-enumNames': ['Marked', 'Could not be processed'] },
    error: {
      type: 'object',
      additionalProperties: false,
      required: ['code', 'message'],
      properties: { code: { type: 'string', maxLength: 100 }, message: { type: 'string', maxLength: 2000 } },
    },
  },
} as const;

/** Error codes of the pipeline's steps, which the notifier turns into a teacher's notification. */
export const CHECK_ERROR = {
  invalid: 'check-invalid',
  unreadable: 'check-unreadable',
  notReceived: 'check-not-received',
  unmarkable: 'check-unmarkable',
} as const;

export const checkReceiver = defineJobType<SubmittedCheck>({
  type: 'check-receiver',
  title: 'Receive a completed check',
  description: "Stores a pupil's completed check as it was sent and records when it arrived. The same check sent twice within a day is processed once.",
  paramsSchema: SUBMITTED_CHECK_SCHEMA,
  limits: CHECK_LIMITS,
});

export const checkValidator = defineJobType<CheckRef>({
  type: 'check-validator',
  title: 'Validate a received check',
  description: 'Checks that a received check has every part a completed check must have.',
  paramsSchema: CHECK_REF_SCHEMA,
  limits: CHECK_LIMITS,
});

export const checkMarker = defineJobType<CheckRef>({
  type: 'check-marker',
  title: 'Mark a received check',
  description: "Marks a validated check and records the pupil's score against it.",
  paramsSchema: CHECK_REF_SCHEMA,
  limits: CHECK_LIMITS,
});

export const checkNotifier = defineJobType<CheckNotice>({
  type: 'check-notifier',
  title: 'Record the outcome of a check',
  description: "Updates the check's state for the school, and tells the teacher when a check could not be processed.",
  paramsSchema: CHECK_NOTICE_SCHEMA,
  limits: CHECK_LIMITS,
});

export const CHECK_PIPELINE_TYPES = [checkReceiver, checkValidator, checkMarker, checkNotifier];

/** A completed check once decompressed: what the pupil was asked, what they answered, and how. */
export interface CompleteCheck {
  schoolUUID: string;
  checkCode: string;
  pupil: { uuid: string; firstName: string; lastName: string };
  school: { uuid: string; name: string };
  config: { questionTime: number; loadingTime: number; speechSynthesis: boolean; audibleSounds: boolean; numpadRemoval: boolean };
  questions: { order: number; factor1: number; factor2: number }[];
  answers: { question: number; factor1: number; factor2: number; answer: string; clientTimestamp: string }[];
  inputs: { question: number; input: string; eventType: string; clientTimestamp: string }[];
  audit: { type: string; clientTimestamp: string; data?: Record<string, unknown> }[];
  device: Record<string, unknown>;
}

const FACTOR = { type: 'integer', minimum: 0, maximum: 12 } as const;
const TIMESTAMP = { type: 'string', format: 'date-time' } as const;

/** The seed's complete-check schema: every top-level property a completed check has, and the shape of its questions and answers. */
export const COMPLETE_CHECK_SCHEMA = {
  type: 'object',
  required: ['schoolUUID', 'checkCode', 'pupil', 'school', 'config', 'questions', 'answers', 'inputs', 'audit', 'device'],
  properties: {
    schoolUUID: { type: 'string', minLength: 1 },
    checkCode: { type: 'string', minLength: 1 },
    pupil: { type: 'object', required: ['uuid'], properties: { uuid: { type: 'string', minLength: 1 } } },
    school: { type: 'object', required: ['uuid'], properties: { uuid: { type: 'string', minLength: 1 } } },
    config: { type: 'object', required: ['questionTime', 'loadingTime'], properties: { questionTime: { type: 'number' }, loadingTime: { type: 'number' } } },
    questions: {
      type: 'array',
      minItems: 1,
      maxItems: 100,
      items: { type: 'object', required: ['order', 'factor1', 'factor2'], properties: { order: { type: 'integer', minimum: 1 }, factor1: FACTOR, factor2: FACTOR } },
    },
    answers: {
      type: 'array',
      maxItems: 100,
      items: {
        type: 'object',
        required: ['question', 'factor1', 'factor2', 'answer', 'clientTimestamp'],
        properties: { question: { type: 'integer', minimum: 1 }, factor1: FACTOR, factor2: FACTOR, answer: { type: 'string', maxLength: 10 }, clientTimestamp: TIMESTAMP },
      },
    },
    inputs: { type: 'array', items: { type: 'object', required: ['question', 'eventType', 'clientTimestamp'] } },
    audit: { type: 'array', items: { type: 'object', required: ['type', 'clientTimestamp'] } },
    device: { type: 'object' },
  },
} as const;
