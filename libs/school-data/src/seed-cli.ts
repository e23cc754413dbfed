import { parseArgs } from 'node:util';
import mongoose from 'mongoose';
import { loadServerUrls } from '@taskyard/config';
import { DEFAULT_SHAPE, type DatasetShape } from './generate-school';
import { seedDataset } from './seed-dataset';

/**
 * `pnpm seed --schools 2 --pupils-per-school 1000 --weeks 40 --seed 7`: writes a school dataset to
 * MONGO_URL (the local stack's by default). Deterministic for a given seed; re-running adds nothing.
 */
const USAGE = `usage: pnpm seed [--schools N] [--pupils-per-school M] [--weeks W] [--words K] [--assessments A]
                 [--class-size C] [--first-week YYYY-MM-DD] [--seed S] [--mongo-url URL]
                 [--checks K] [--invalid-checks-every N]
  --checks K                  checks allocated to each pupil (seed 004's check pipeline), default 0
  --invalid-checks-every N    one check in N is sent broken (missing answers, unreadable, unmarkable), default 10`;

function shapeFromArgs(argv: string[]): { shape: DatasetShape; mongoUrl: string } {
  const { values } = parseArgs({
    args: argv,
    options: {
      schools: { type: 'string' },
      'pupils-per-school': { type: 'string' },
      weeks: { type: 'string' },
      words: { type: 'string' },
      assessments: { type: 'string' },
      'class-size': { type: 'string' },
      'first-week': { type: 'string' },
      seed: { type: 'string' },
      'mongo-url': { type: 'string' },
      checks: { type: 'string' },
      'invalid-checks-every': { type: 'string' },
      help: { type: 'boolean' },
    },
  });
  if (values.help) {
    console.log(USAGE);
    process.exit(0);
  }
  const int = (v: string | undefined, fallback: number, name: string): number => {
    if (v === undefined) return fallback;
    const n = Number(v);
    if (!Number.isInteger(n) || n < 0) throw new Error(`--${name} must be a whole number, got "${v}"\n${USAGE}`);
    return n;
  };
  const shape: DatasetShape = {
    schools: int(values.schools, DEFAULT_SHAPE.schools, 'schools'),
    pupilsPerSchool: int(values['pupils-per-school'], DEFAULT_SHAPE.pupilsPerSchool, 'pupils-per-school'),
    weeks: int(values.weeks, DEFAULT_SHAPE.weeks, 'weeks'),
    wordsPerTest: int(values.words, DEFAULT_SHAPE.wordsPerTest, 'words'),
    assessmentsPerBatch: int(values.assessments, DEFAULT_SHAPE.assessmentsPerBatch, 'assessments'),
    classSize: int(values['class-size'], DEFAULT_SHAPE.classSize, 'class-size'),
    firstWeek: values['first-week'] ?? DEFAULT_SHAPE.firstWeek,
    seed: int(values.seed, DEFAULT_SHAPE.seed, 'seed'),
    checksPerPupil: int(values.checks, DEFAULT_SHAPE.checksPerPupil ?? 0, 'checks'),
    invalidChecksEvery: int(values['invalid-checks-every'], DEFAULT_SHAPE.invalidChecksEvery ?? 0, 'invalid-checks-every'),
  };
  return { shape, mongoUrl: values['mongo-url'] ?? loadServerUrls().mongoUrl };
}

async function main(): Promise<void> {
  const { shape, mongoUrl } = shapeFromArgs(process.argv.slice(2).filter((a) => a !== '--'));
  const started = Date.now();
  const conn = await mongoose.createConnection(mongoUrl, { serverSelectionTimeoutMS: 10_000 }).asPromise();
  try {
    const counts = await seedDataset(conn, shape, (n) => console.error(`school ${n}/${shape.schools} written`));
    console.log(JSON.stringify({ shape, counts, seconds: (Date.now() - started) / 1000 }, null, 2));
  } finally {
    await conn.close();
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
