import { parse } from 'csv-parse/sync';
import type { Connection } from 'mongoose';
import type { AssessmentReportParams } from '@taskyard/contracts';
import { SeededRandom, type AssessmentScoreRecord } from '@taskyard/school-data';
import { runDirect } from '@taskyard/school-data/src/testing/direct-job-context';
import { startJobTestEnv, type JobTestEnv } from '@taskyard/school-data/src/testing/job-test-env';
import type { ObjectStore } from '@taskyard/storage';
import { assessmentReportWorker } from '../src/assessment-report-handler';

/**
 * Property: a random school's batches, with scores of up to three decimals, random content filters and
 * a score of another school's pupil filed in the batch, reported through the real servers; every row
 * and figure equals a separate recomputation from the generated rows (exact decimal arithmetic, half up).
 */
let env: JobTestEnv;
let conn: Connection;
let store: ObjectStore;

beforeAll(async () => {
  env = await startJobTestEnv('assessment-property');
  ({ conn, store } = env);
});
afterAll(async () => {
  await env?.close();
});

interface Score extends AssessmentScoreRecord {
  /** As written in the source file: what the percentage is computed from here. */
  scoreText: string;
  maxText: string;
}
type Doc = { _id: string } & Record<string, unknown>;

const GIVEN = ['Ada', 'Zoë', 'Émile', 'Åsa'];
const FAMILY = ['Ørsted', 'Smith, Jr', 'He said "hi"', 'Brown'];
const SUBJECTS = ['maths', 'english', 'science'];
const MAXES = ['10', '20', '8', '16', '3', '7', '12.5', '40'];

/** Half up to one decimal of 100 * score / max, from the decimal texts, in integers. */
function percentOf(scoreText: string, maxText: string): number {
  const places = (t: string): number => (t.includes('.') ? t.length - t.indexOf('.') - 1 : 0);
  const p = Math.max(places(scoreText), places(maxText));
  const int = (t: string): bigint => BigInt(t.replace('.', '') + '0'.repeat(p - places(t)));
  const [s, m] = [int(scoreText), int(maxText)];
  return Number((2000n * s + m) / (2n * m)) / 10;
}

function generate(seed: number) {
  const rng = new SeededRandom(seed);
  const S = `as${seed}`;
  const O = `ao${seed}`;
  const pupils = [S, O].flatMap((school) =>
    Array.from({ length: school === S ? 4 + rng.int(6) : 2 }, (_x, i) => ({ _id: `${school}-p${i}`, schoolId: school, classId: `${school}-c`, givenName: rng.pick(GIVEN), familyName: rng.pick(FAMILY) })),
  );
  const batches = Array.from({ length: 2 + rng.int(2) }, (_x, i) => ({ _id: `${S}-b${i}`, schoolId: S, channel: rng.pick(['TPD', 'NCF']), name: `Batch ${i}` }));
  const scores: Score[] = [];
  for (const b of batches) {
    for (const p of pupils.filter((x) => x.schoolId === S || rng.next() < 0.2)) {
      for (let c = 0, n = rng.int(4); c < n; c++) {
        const maxText = rng.pick(MAXES);
        const decimals = rng.int(4);
        const scoreText = (rng.next() * Number(maxText)).toFixed(decimals);
        const contentId = `do_${rng.int(50)}`;
        if (scores.some((s) => s._id === `${b._id}:${p._id}:${contentId}`)) continue;
        const attemptedAt = new Date(Date.UTC(2025, 0, 1 + rng.int(60), rng.int(24), rng.int(60))).toISOString();
        scores.push({ _id: `${b._id}:${p._id}:${contentId}`, batchId: b._id, schoolId: S, pupilId: p._id, contentId, subject: rng.pick(SUBJECTS), score: Number(scoreText), maxScore: Number(maxText), attemptedAt, scoreText, maxText });
      }
    }
  }
  return { pupils, batches, scores, rng };
}

const SEEDS = process.env.PROPERTY_SEEDS ? process.env.PROPERTY_SEEDS.split(',').map(Number) : [1, 2, 3];

test.each(SEEDS)('seed %i: every row and figure of each batch report matches the recomputation', async (seed) => {
  const { pupils, batches, scores, rng } = generate(seed);
  const db = conn.db!;
  await db.collection<Doc>('pupils').insertMany(pupils);
  await db.collection<Doc>('assessment_batches').insertMany(batches);
  if (scores.length) await db.collection<Doc>('assessment_scores').insertMany(scores.map(({ scoreText: _s, maxText: _m, ...doc }) => doc));
  const names = new Map(pupils.filter((p) => p.schoolId === `as${seed}`).map((p) => [p._id, `${p.givenName} ${p.familyName}`]));

  for (const batch of batches) {
    const subjects = rng.next() < 0.5 ? [] : SUBJECTS.filter(() => rng.next() < 0.5);
    const minScore = rng.next() < 0.3 ? rng.int(5) : undefined;
    const maxScore = rng.next() < 0.3 ? 5 + rng.int(20) : undefined;
    const format = rng.pick(['csv', 'json'] as const);
    const params: AssessmentReportParams = { batchFilters: { ids: [batch._id], channels: [] }, contentFilters: { subjects, minScore, maxScore }, output_format: format };
    const run = await runDirect(assessmentReportWorker, { params, db: conn, store });

    const expected = scores
      .filter((s) => s.batchId === batch._id && names.has(s.pupilId))
      .filter((s) => (!subjects.length || subjects.includes(s.subject)) && (minScore === undefined || s.score >= minScore) && (maxScore === undefined || s.score <= maxScore))
      .sort((a, b) => (a.pupilId < b.pupilId ? -1 : a.pupilId > b.pupilId ? 1 : a.contentId < b.contentId ? -1 : a.contentId > b.contentId ? 1 : 0))
      .map((s) => ({ batch_id: batch._id, channel: batch.channel, pupil_id: s.pupilId, pupil_name: names.get(s.pupilId)!, content_id: s.contentId, subject: s.subject, score: s.score, max_score: s.maxScore, percent: percentOf(s.scoreText, s.maxText), attempted_at: s.attemptedAt }));
    const bytes = await store.getBuffer(run.artifacts[0].key);
    if (format === 'csv') {
      expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
      const rows = parse(bytes, { bom: true, columns: true }) as Record<string, string>[];
      expect(rows).toEqual(expected.map((r) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, String(v)]))));
    } else {
      const body = JSON.parse(bytes.toString()) as Record<string, unknown>;
      expect(body).toMatchObject({ batch_id: batch._id, batch_name: batch.name, channel: batch.channel, school_id: batch.schoolId });
      expect(body.rows).toEqual(expected);
    }
    expect(run.outcome).toMatchObject({ result: { batchId: batch._id, rows: expected.length } });
  }
});
