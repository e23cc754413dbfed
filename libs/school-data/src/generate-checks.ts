import type { CompleteCheck, SubmittedCheck } from '@taskyard/contracts';
import { packCheck } from './check-archive';
import { SeededRandom } from './random';
import { CHECK_SUBMISSIONS, type CheckSubmission, type PupilCheckRecord, type PupilRecord, type SchoolRecord } from './records';

/** A multiplication tables check: 25 questions, factors 1..12 (the seed's product). */
export const QUESTIONS_PER_CHECK = 25;
/** Key and pointer events the browser logs per question: what makes a large check about 24 KB compressed. */
const INPUTS_PER_QUESTION = 88;
const AUDITS_PER_QUESTION = 10;
const AUDIT_TYPES = ['PauseRendered', 'QuestionRendered', 'QuestionTimerStarted', 'QuestionAnswered', 'QuestionTimerEnded', 'RefreshDetected', 'AppVisible', 'AppHidden'];
const EVENT_TYPES = ['keydown', 'keyup', 'mousedown', 'touchstart', 'click'];

export const pupilCheckCode = (pupil: string, n: number): string => `${pupil}-k${n}`;

/** One in `invalidEvery` checks is sent broken, cycling through the ways; the rest are valid. */
export function submissionOf(index: number, invalidEvery: number): CheckSubmission {
  if (invalidEvery <= 0 || index % invalidEvery !== invalidEvery - 1) return 'valid';
  const broken = CHECK_SUBMISSIONS.filter((s) => s !== 'valid');
  return broken[Math.floor(index / invalidEvery) % broken.length];
}

export function pupilChecksOf(pupils: PupilRecord[], checksPerPupil: number, invalidEvery: number): PupilCheckRecord[] {
  const out: PupilCheckRecord[] = [];
  for (const p of pupils) {
    for (let n = 1; n <= checksPerPupil; n++) {
      const submission = submissionOf(out.length, invalidEvery);
      out.push({ _id: pupilCheckCode(p._id, n), schoolId: p.schoolId, pupilId: p._id, state: 'allocated', submission });
    }
  }
  return out;
}

const stamp = (ms: number): string => new Date(ms).toISOString();

/** The check a pupil completed, the same for the same check code on every machine. */
export function completedCheck(check: Pick<PupilCheckRecord, '_id' | 'schoolId' | 'pupilId'>, pupil?: Pick<PupilRecord, 'givenName' | 'familyName'>, school?: Pick<SchoolRecord, 'name'>): CompleteCheck {
  const rng = new SeededRandom(check._id);
  let clock = Date.UTC(2025, 5, 9, 9, 0, 0) + rng.int(6 * 3600_000);
  const questions = Array.from({ length: QUESTIONS_PER_CHECK }, (_, i) => ({ order: i + 1, factor1: 1 + rng.int(12), factor2: 1 + rng.int(12) }));
  const answers: CompleteCheck['answers'] = [];
  const inputs: CompleteCheck['inputs'] = [];
  const audit: CompleteCheck['audit'] = [];
  for (const q of questions) {
    const right = rng.next() < 0.8;
    const answer = String(right ? q.factor1 * q.factor2 : q.factor1 * q.factor2 + 1 + rng.int(9));
    for (let a = 0; a < AUDITS_PER_QUESTION; a++) {
      clock += rng.int(900);
      audit.push({ type: AUDIT_TYPES[a % AUDIT_TYPES.length], clientTimestamp: stamp(clock), data: { sequenceNumber: q.order, question: `${q.factor1}x${q.factor2}`, isWarmup: false, monotonicTime: { milliseconds: clock % 1_000_000, legacyDate: stamp(clock), sequenceNumber: rng.int(1e6) } } });
    }
    for (let k = 0; k < INPUTS_PER_QUESTION; k++) {
      clock += 20 + rng.int(400);
      const input = k < answer.length * 2 ? answer[Math.floor(k / 2)] : rng.pick(['Enter', 'Backspace', 'left click', String(rng.int(10))]);
      inputs.push({ question: q.order, input, eventType: rng.pick(EVENT_TYPES), clientTimestamp: stamp(clock) });
    }
    answers.push({ question: q.order, factor1: q.factor1, factor2: q.factor2, answer, clientTimestamp: stamp(clock) });
  }
  return {
    schoolUUID: check.schoolId,
    checkCode: check._id,
    pupil: { uuid: check.pupilId, firstName: pupil?.givenName ?? 'Pupil', lastName: pupil?.familyName ?? check.pupilId },
    school: { uuid: check.schoolId, name: school?.name ?? check.schoolId },
    config: { questionTime: 6, loadingTime: 3, speechSynthesis: false, audibleSounds: false, numpadRemoval: false },
    questions,
    answers,
    inputs,
    audit,
    device: {
      battery: { isCharging: rng.next() < 0.5, levelPercent: rng.int(100), chargingTime: rng.int(9000), dischargingTime: rng.int(90000) },
      cpu: { hardwareConcurrency: 2 + rng.int(8) },
      navigator: { userAgent: `Mozilla/5.0 (X11; Linux x86_64) Chrome/${100 + rng.int(30)}.0.${rng.int(9999)}.${rng.int(999)}`, platform: 'Linux x86_64', language: 'en-GB', cookieEnabled: true },
      screen: { screenWidth: 1024 + rng.int(1000), screenHeight: 768 + rng.int(600), outerWidth: 1000 + rng.int(900), outerHeight: 700 + rng.int(500), colorDepth: 24, orientation: 'landscape-primary' },
      appUsageCounter: rng.int(5),
    },
  };
}

/** The message the pupil's browser sends for a check, broken as its `submission` says. */
export function submittedCheck(check: Pick<PupilCheckRecord, '_id' | 'schoolId' | 'pupilId' | 'submission'>): SubmittedCheck {
  const body = completedCheck(check);
  const base = { version: 2 as const, schoolUUID: check.schoolId, checkCode: check._id };
  switch (check.submission) {
    case 'missing-answers': {
      const { answers: _dropped, ...rest } = body;
      return { ...base, archive: packCheck(rest) };
    }
    case 'unreadable':
      // Cut short on the way: still base64, no longer a whole gzip stream.
      return { ...base, archive: packCheck(body).slice(0, 400) };
    case 'unmarkable':
      // An answer to a question the check never asked.
      return { ...base, archive: packCheck({ ...body, answers: [...body.answers, { ...body.answers[0], question: QUESTIONS_PER_CHECK + 7 }] }) };
    default:
      return { ...base, archive: packCheck(body) };
  }
}
