import { assessmentScoreId, batchId, classId, pupilId, schoolId, spellingTestId, spellingWeekId } from './ids';
import { CHANNELS, FAMILY_NAMES, GIVEN_NAMES, SCHOOL_NAMES, SUBJECTS } from './names';
import { SeededRandom } from './random';
import type {
  AssessmentBatchRecord,
  AssessmentScoreRecord,
  ClassRecord,
  PupilCheckRecord,
  PupilRecord,
  SchoolRecord,
  SpellingTestRecord,
  SpellingWeekRecord,
} from './records';
import { pupilChecksOf } from './generate-checks';
import { packResults } from './results';
import { addWeeks } from './weeks';
import { WORD_BANK } from './word-bank';

export interface DatasetShape {
  schools: number;
  pupilsPerSchool: number;
  weeks: number;
  wordsPerTest: number;
  /** Assessment contents each pupil of a batch is scored on. */
  assessmentsPerBatch: number;
  classSize: number;
  /** Monday of the first week. */
  firstWeek: string;
  seed: number;
  /** Checks allocated to each pupil (seed 004), whose completed checks `submittedCheck` makes. */
  checksPerPupil?: number;
  /** One check in this many is sent broken (missing answers, unreadable, unmarkable); 0 for none. */
  invalidChecksEvery?: number;
}

export const DEFAULT_SHAPE: DatasetShape = {
  schools: 1,
  pupilsPerSchool: 60,
  weeks: 10,
  wordsPerTest: 20,
  assessmentsPerBatch: 6,
  classSize: 30,
  firstWeek: '2024-09-02',
  seed: 1,
  checksPerPupil: 0,
  invalidChecksEvery: 10,
};

/** One generated record and the collection it belongs in. */
export type SeedItem =
  | { kind: 'school'; doc: SchoolRecord }
  | { kind: 'class'; doc: ClassRecord }
  | { kind: 'pupil'; doc: PupilRecord }
  | { kind: 'spellingTest'; doc: SpellingTestRecord }
  | { kind: 'spellingWeek'; doc: SpellingWeekRecord }
  | { kind: 'assessmentBatch'; doc: AssessmentBatchRecord }
  | { kind: 'assessmentScore'; doc: AssessmentScoreRecord }
  | { kind: 'pupilCheck'; doc: PupilCheckRecord };

interface Pupil {
  doc: PupilRecord;
  /** 0..1: how likely the pupil spells and scores well. */
  ability: number;
}

const ABSENCE_RATE = 0.04;

function makeClasses(school: string, shape: DatasetShape): ClassRecord[] {
  const count = Math.max(1, Math.ceil(shape.pupilsPerSchool / shape.classSize));
  return Array.from({ length: count }, (_, i) => {
    const yearGroup = 1 + (i % 6);
    const letter = String.fromCharCode(65 + Math.floor(i / 6));
    return { _id: classId(school, i + 1), schoolId: school, name: `${yearGroup}${letter}`, yearGroup };
  });
}

function makePupils(school: string, classes: ClassRecord[], shape: DatasetShape, rng: SeededRandom): Pupil[] {
  return Array.from({ length: shape.pupilsPerSchool }, (_, i) => ({
    doc: {
      _id: pupilId(school, i + 1),
      schoolId: school,
      classId: classes[i % classes.length]._id,
      givenName: rng.pick(GIVEN_NAMES),
      familyName: rng.pick(FAMILY_NAMES),
    },
    ability: 0.35 + 0.6 * rng.next(),
  }));
}

/** This week's list for a year group: harder words for older pupils. */
function wordList(yearGroup: number, rng: SeededRandom, count: number): string[] {
  const span = Math.min(WORD_BANK.length, 40 + yearGroup * 20);
  const start = Math.min(WORD_BANK.length - span, (yearGroup - 1) * 15);
  const chosen = new Set<string>();
  while (chosen.size < Math.min(count, span)) chosen.add(WORD_BANK[start + rng.int(span)]);
  return [...chosen];
}

function* spellingOf(school: string, classes: ClassRecord[], pupils: Pupil[], shape: DatasetShape, rng: SeededRandom): Generator<SeedItem> {
  const yearOf = new Map(classes.map((c) => [c._id, c.yearGroup]));
  for (let w = 0; w < shape.weeks; w++) {
    const week = addWeeks(shape.firstWeek, w);
    const tests = new Map<number, SpellingTestRecord>();
    for (const yearGroup of new Set(yearOf.values())) {
      const words = wordList(yearGroup, rng, shape.wordsPerTest);
      const test = { _id: spellingTestId(school, week, words), schoolId: school, week, words };
      tests.set(yearGroup, test);
      yield { kind: 'spellingTest', doc: test };
    }
    for (const p of pupils) {
      if (rng.next() < ABSENCE_RATE) continue;
      const test = tests.get(yearOf.get(p.doc.classId)!)!;
      const results = packResults(test.words.map((word) => rng.next() < p.ability + 0.25 - word.length / 40));
      yield {
        kind: 'spellingWeek',
        doc: { _id: spellingWeekId(p.doc._id, week), schoolId: school, classId: p.doc.classId, pupilId: p.doc._id, week, testId: test._id, results },
      };
    }
  }
}

function* assessmentsOf(school: string, classes: ClassRecord[], pupils: Pupil[], shape: DatasetShape, rng: SeededRandom): Generator<SeedItem> {
  for (const [i, cls] of classes.entries()) {
    const batch = { _id: batchId(school, i + 1), schoolId: school, channel: rng.pick(CHANNELS), name: `${cls.name} assessments` };
    yield { kind: 'assessmentBatch', doc: batch };
    for (const p of pupils.filter((x) => x.doc.classId === cls._id)) {
      for (let a = 0; a < shape.assessmentsPerBatch; a++) {
        const contentId = `do_${school}_${String(a + 1).padStart(3, '0')}`;
        const maxScore = 20;
        const score = Math.max(0, Math.min(maxScore, Math.round(maxScore * (p.ability + (rng.next() - 0.5) * 0.4))));
        const attemptedAt = new Date(Date.parse(`${addWeeks(shape.firstWeek, 2 * a)}T09:00:00Z`) + rng.int(5 * 86_400_000)).toISOString();
        yield {
          kind: 'assessmentScore',
          doc: {
            _id: assessmentScoreId(batch._id, p.doc._id, contentId),
            batchId: batch._id,
            schoolId: school,
            pupilId: p.doc._id,
            contentId,
            subject: SUBJECTS[a % SUBJECTS.length],
            score,
            maxScore,
            attemptedAt,
          },
        };
      }
    }
  }
}

/** Every record of school number `n` (1-based), the same ones for the same shape and seed. */
export function* generateSchool(n: number, shape: DatasetShape): Generator<SeedItem> {
  const rng = new SeededRandom(shape.seed).fork(`school-${n}`);
  const school = schoolId(n);
  yield { kind: 'school', doc: { _id: school, name: `${SCHOOL_NAMES[(n - 1) % SCHOOL_NAMES.length]} Primary ${n}` } };
  const classes = makeClasses(school, shape);
  for (const doc of classes) yield { kind: 'class', doc };
  const pupils = makePupils(school, classes, shape, rng.fork('pupils'));
  for (const p of pupils) yield { kind: 'pupil', doc: p.doc };
  yield* spellingOf(school, classes, pupils, shape, rng.fork('spelling'));
  yield* assessmentsOf(school, classes, pupils, shape, rng.fork('assessments'));
  for (const doc of pupilChecksOf(pupils.map((p) => p.doc), shape.checksPerPupil ?? 0, shape.invalidChecksEvery ?? 0)) yield { kind: 'pupilCheck', doc };
}
