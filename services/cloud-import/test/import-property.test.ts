import { startImportHarness, type ImportHarness } from './import-harness';
import { randomImport, type Doc } from './random-import';
import { zipOf } from './zip-fixtures';

/**
 * Property: a random import across two schools, with a random mix of issue 18's bad-row kinds, run
 * through the real servers, leaves exactly the documents the generator expected, rejects exactly the
 * rows it made bad (in row order), counts honestly, and changes nothing when run again.
 */
let h: ImportHarness;

beforeAll(async () => {
  h = await startImportHarness('import-property');
});
afterAll(async () => {
  await h?.close();
});

const COMPARED = ['schools', 'classes', 'pupils', 'spelling_weeks', 'assessment_batches', 'assessment_scores', 'channels'];
const byId = (a: Doc, b: Doc): number => (a._id < b._id ? -1 : a._id > b._id ? 1 : 0);

async function collection(name: string): Promise<Doc[]> {
  return ((await h.conn.db!.collection<Doc>(name).find().toArray()) as Doc[]).sort(byId);
}

/** Stored spelling weeks without their word-list id, with the words that list holds. */
async function spellingWeeks(): Promise<Doc[]> {
  const lists = new Map((await collection('spelling_tests')).map((t) => [t._id, t.words]));
  return (await collection('spelling_weeks')).map(({ testId, ...rest }) => ({ ...rest, words: lists.get(testId as string) }));
}

const SEEDS = process.env.PROPERTY_SEEDS ? process.env.PROPERTY_SEEDS.split(',').map(Number) : [1, 2, 3];

test.each(SEEDS)('seed %i: every stored document and every rejected row is the one expected', async (seed) => {
  for (const name of [...COMPARED, 'spelling_tests']) await h.conn.db!.collection(name).deleteMany({});
  const gen = randomImport(seed, `i${seed}`);
  for (const [name, docs] of Object.entries(gen.before)) await h.conn.db!.collection<Doc>(name).insertMany(docs);

  const { run, error } = await h.runImport(zipOf(gen.files));
  expect(error).toBeUndefined();
  const summary = await h.summaryOf(run);
  expect(summary.schools).toEqual(gen.schools);
  for (const [file, bad] of Object.entries(gen.rejected)) {
    const rejected = await h.rejectedOf(run, file);
    const rows = rejected.map((r) => r.row);
    expect({ file, rows: [...new Set(rows)] }).toEqual({ file, rows: bad });
    expect(rows).toEqual([...rows].sort((a, b) => a - b));
    expect(rejected.every((r) => r.reason.length > 5)).toBe(true);
    expect(summary.files[file as keyof typeof summary.files]).toMatchObject({ rows: gen.rows[file], rejected: bad.length, accepted: gen.rows[file] - bad.length });
  }
  for (const name of COMPARED) {
    const expected = (gen.after[name] ?? []).slice().sort(byId);
    expect({ name, docs: name === 'spelling_weeks' ? await spellingWeeks() : await collection(name) }).toEqual({ name, docs: expected });
  }

  const again = await h.runImport(zipOf(gen.files));
  const second = await h.summaryOf(again.run);
  for (const file of Object.values(second.files)) expect(file!.documents.inserted + file!.documents.updated).toBe(0);
});
