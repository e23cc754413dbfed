import { createHash } from 'node:crypto';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Connection } from 'mongoose';
import type { CloudImportParams } from '@taskyard/contracts';
import { COLLECTIONS, schoolModels, seedDataset } from '@taskyard/school-data';
import { directJobContext, type DirectRun } from '@taskyard/school-data/src/testing/direct-job-context';
import type { ObjectStore } from '@taskyard/storage';
import { createCloudImportWorker } from '../src/cloud-import-handler';
import type { ImportSummary } from '../src/import-summary';
import { LEASE_COLLECTION } from '../src/school-lease';
import { startImportHarness, type ImportHarness } from './import-harness';
import { withDeclaredSize, zipOf, zipWithRawName, zipWithSymlink, type Files } from './zip-fixtures';

let h: ImportHarness;
let conn: Connection;
let store: ObjectStore;
let workRoot: string;
let n = 0;

beforeAll(async () => {
  h = await startImportHarness('cloud-import');
  ({ conn, store, workRoot } = h);
  await seedDataset(conn, { schools: 1, pupilsPerSchool: 30, weeks: 2, assessmentsPerBatch: 2, seed: 3 });
});
afterAll(async () => {
  await h?.close();
});

async function runImport(zip: Buffer, attempt = 1): ReturnType<ImportHarness['runImport']> {
  n++;
  return h.runImport(zip, attempt);
}

/** Every document of the dataset, hashed: "nothing changed" means this is the same. */
async function datasetFingerprint(): Promise<string> {
  const hash = createHash('sha1');
  for (const name of Object.values(COLLECTIONS)) {
    const docs = await conn.db!.collection(name).find().sort({ _id: 1 }).toArray();
    hash.update(`${name}:${JSON.stringify(docs)}`);
  }
  return hash.digest('hex');
}

const text = (run: DirectRun<CloudImportParams>, name: string): Promise<string> => h.text(run, name);
const summaryOf = (run: DirectRun<CloudImportParams>): Promise<ImportSummary> => h.summaryOf(run);

async function expectCleanedUp(key: string): Promise<void> {
  expect(readdirSync(workRoot)).toEqual([]);
  expect(await store.size(key)).toBeUndefined();
}

const GOOD_AND_BAD: Files = {
  'export/classes.csv': ['class_id,school_id,name,year_group', 'sch0001-c90,sch0001,6Z,6', 'sch0001-c91,sch0001,7Z,seven'].join('\n'),
  'export/pupils.csv': [
    'pupil_id,school_id,class_id,given_name,family_name',
    'sch0001-p90001,sch0001,sch0001-c90,Nia,Okafor',
    'sch0001-p90002,sch0001,sch0001-c90,Tom,Price',
    'sch0001-p90003,sch0001,no-such-class,Ann,Lee',
    'sch0001-p90004,sch0001,sch0001-c90,,Lee',
  ].join('\n'),
  'export/spelling_results.csv': [
    'school_id,pupil_id,week,word,correct',
    'sch0001,sch0001-p90001,2025-01-06,because,1',
    'sch0001,sch0001-p90001,2025-01-06,friend,0',
    'sch0001,sch0001-p90001,2025-01-06,people,1',
    'sch0001,sch0001-p90001,2025-01-08,water,1',
    'sch0001,sch0001-p90002,2025-01-06,because,maybe',
    'sch0001,sch0001-p90002,2025-01-06,friend,1',
    'sch0001,sch0009-p1,2025-01-06,friend,1',
  ].join('\n'),
  'export/assessment_scores.csv': [
    'school_id,batch_id,channel,pupil_id,content_id,subject,score,max_score,attempted_at',
    'sch0001,sch0001-b900,TPD,sch0001-p90001,do_1,maths,17,20,2025-01-10T09:30:00Z',
    'sch0001,sch0001-b900,TPD,sch0001-p90002,do_1,maths,21,20,2025-01-10',
    'sch0001,sch0001-b900,TPD,sch0001-p90002,do_2,english,12,20,2025-01-11',
  ].join('\n'),
  'export/notes.txt': 'not data',
};

test('a zip with good and bad rows imports the good ones, reports each bad one, and leaves nothing behind', async () => {
  const { run, key, result, error } = await runImport(zipOf(GOOD_AND_BAD));
  expect(error).toBeUndefined();
  expect(run.artifacts.map((a) => a.name).sort()).toEqual(
    ['rejected-assessment_scores.csv', 'rejected-classes.csv', 'rejected-pupils.csv', 'rejected-spelling_results.csv', 'summary.json'].sort(),
  );
  expect((await text(run, 'rejected-classes.csv')).trim().split('\n')).toEqual(['row,column,reason', '3,year_group,"""seven"" is not a whole number from 0 to 13"']);
  const rejectedPupils = (await text(run, 'rejected-pupils.csv')).trim().split('\n');
  expect(rejectedPupils.slice(1).map((l) => l.split(',').slice(0, 2).join(','))).toEqual(['4,class_id', '5,given_name']);
  const rejectedSpelling = (await text(run, 'rejected-spelling_results.csv')).trim().split('\n').slice(1).map((l) => l.split(',').slice(0, 2).join(','));
  expect(rejectedSpelling).toEqual(['5,week', '6,correct', '8,pupil_id']);
  expect((await text(run, 'rejected-assessment_scores.csv')).trim().split('\n').slice(1).map((l) => l.split(',').slice(0, 2).join(','))).toEqual(['3,score']);

  const m = schoolModels(conn);
  expect(await m.Class.findById('sch0001-c90').lean()).toEqual({ _id: 'sch0001-c90', schoolId: 'sch0001', name: '6Z', yearGroup: 6 });
  expect(await m.Class.findById('sch0001-c91').lean()).toBeNull();
  expect((await m.Pupil.find({ _id: /^sch0001-p9000/ }).lean()).map((p) => p._id).sort()).toEqual(['sch0001-p90001', 'sch0001-p90002']);
  const week = await m.SpellingWeek.findById('sch0001-p90001:2025-01-06').lean();
  expect(week).toMatchObject({ classId: 'sch0001-c90', results: '101' });
  expect((await m.SpellingTest.findById(week!.testId).lean())!.words).toEqual(['because', 'friend', 'people']);
  expect(await m.SpellingWeek.findById('sch0001-p90002:2025-01-06').lean()).toMatchObject({ results: '1' });
  expect(await m.AssessmentScore.countDocuments({ batchId: 'sch0001-b900' })).toBe(2);
  expect(await m.AssessmentBatch.findById('sch0001-b900').lean()).toMatchObject({ schoolId: 'sch0001', channel: 'TPD' });

  const summary = await summaryOf(run);
  expect(summary.unknownFiles).toEqual(['export/notes.txt']);
  expect(summary.schools).toEqual(['sch0001']);
  expect(summary.files['pupils.csv']).toMatchObject({ rows: 4, accepted: 2, rejected: 2, documents: { inserted: 2, updated: 0, unchanged: 0 } });
  expect(summary.files['spelling_results.csv']).toMatchObject({ rows: 7, accepted: 4, rejected: 3, documents: { inserted: 2 } });
  expect(summary.totals).toEqual({ rows: 16, accepted: 9, rejected: 7 });
  // A partial success says so in its result: what was left out, with counts.
  expect(result?.partial).toEqual([
    { count: 7, of: 16, one: 'row rejected', other: 'rows rejected' },
    { count: 1, one: 'file not imported (unknown name)', other: 'files not imported (unknown names)' },
  ]);
  expect(run.logs.some((l) => l.level === 'warn' && l.message.includes('notes.txt'))).toBe(true);
  expect(run.progress.at(-1)).toBe(100);
  await expectCleanedUp(key);
  expect(await conn.db!.collection(LEASE_COLLECTION).countDocuments()).toBe(0);
});

test('re-running the same zip changes nothing; a corrected row replaces just its document', async () => {
  const before = await datasetFingerprint();
  const again = await runImport(zipOf(GOOD_AND_BAD));
  expect(again.error).toBeUndefined();
  expect(await datasetFingerprint()).toBe(before);
  const summary = await summaryOf(again.run);
  for (const file of Object.values(summary.files)) expect(file!.documents.inserted + file!.documents.updated).toBe(0);
  expect(summary.files['pupils.csv']!.documents.unchanged).toBe(2);

  const corrected = { ...GOOD_AND_BAD, 'export/pupils.csv': (GOOD_AND_BAD['export/pupils.csv'] as string).replace('Tom,Price', 'Tom,Pryce') };
  const third = await runImport(zipOf(corrected));
  expect((await summaryOf(third.run)).files['pupils.csv']!.documents).toEqual({ inserted: 0, updated: 1, unchanged: 1 });
  expect(await schoolModels(conn).Pupil.findById('sch0001-p90002').lean()).toMatchObject({ familyName: 'Pryce' });
});

describe('a hostile or broken upload is refused before anything is imported', () => {
  const cases: [string, () => Buffer, string][] = [
    ['a zip-slip entry', () => zipWithRawName('../../evil.csv'), 'unsafe-path'],
    ['an absolute path', () => zipWithRawName('/tmp/pupils.csv'), 'unsafe-path'],
    ['a symlink entry', zipWithSymlink, 'symlink'],
    ['a zip bomb (entries claiming ~4 GB uncompressed)', () => withDeclaredSize(zipOf({ 'pupils.csv': 'x'.repeat(1000) }), 0xf0000000), 'too-large-uncompressed'],
    ['an entry bigger than it declares', () => withDeclaredSize(zipOf({ 'pupils.csv': `pupil_id,school_id,class_id,given_name,family_name\n${'sch0001-p1,sch0001,sch0001-c01,A,B\n'.repeat(2000)}` }), 10), 'corrupt-zip'],
    ['a file that is not a zip', () => Buffer.from('pupil_id,school_id\n1,2\n'), 'not-a-zip'],
    ['a zip with no known file', () => zipOf({ 'readme.md': 'hello' }), 'no-known-files'],
    // 2 MB in one line deflates to a few KB and passes every zip check; the reader refuses the record.
    ['one enormous record', () => zipOf({ 'pupils.csv': `pupil_id,school_id,class_id,given_name,family_name\nsch0001-p1,sch0001,sch0001-c01,A,${'B'.repeat(2 * 1024 * 1024)}\n` }), 'record-too-large'],
  ];
  test.each(cases)('%s', async (_label, make, code) => {
    const before = await datasetFingerprint();
    const { run, key, error } = await runImport(make());
    expect(error).toMatchObject({ name: 'PermanentJobError', code });
    expect((error as Error).message.length).toBeGreaterThan(10);
    expect(run.artifacts).toEqual([]);
    expect(await datasetFingerprint()).toBe(before);
    await expectCleanedUp(key);
  });
});

test('a file that fails stops the import with its own error, stops the other file of its stage, and frees the school', async () => {
  const before = await datasetFingerprint();
  const scores = ['school_id,batch_id,channel,pupil_id,content_id,subject,score,max_score,attempted_at'];
  // sch0001-p00001: a pupil of the seeded dataset.
  for (let i = 0; i < 3000; i++) scores.push(`sch0001,sch0001-b901,TPD,sch0001-p00001,do_${i},maths,1,20,2025-01-10`);
  const files: Files = {
    'spelling_results.csv': `school_id,pupil_id,week,word,correct\nsch0001,sch0001-p00001,2025-01-06,${'b'.repeat(2 * 1024 * 1024)},1\n`,
    'assessment_scores.csv': scores.join('\n'),
  };
  const { run, error } = await runImport(zipOf(files));
  expect(error).toMatchObject({ name: 'PermanentJobError', code: 'record-too-large', message: expect.stringContaining('row 2 of spelling_results.csv is longer than') });
  expect(run.artifacts.map((a) => a.name)).not.toContain('summary.json');
  expect(await conn.db!.collection(LEASE_COLLECTION).countDocuments()).toBe(0);
  // The scores file went at the same time and stopped: what it wrote is whole scores of rows that passed their
  // checks (none of other batches, no batch document: those are written at its end), nothing else was written.
  const m = schoolModels(conn);
  await m.AssessmentScore.deleteMany({ batchId: 'sch0001-b901' });
  expect(await datasetFingerprint()).toBe(before);
});

test('an import waits for another holding its school, then gives the attempt back to retry, keeping the upload', async () => {
  await conn.db!.collection(LEASE_COLLECTION).insertOne({ _id: 'import:school:sch0001', taskId: 'other-task', at: new Date() } as never);
  try {
    const { run, key, error } = await runImport(zipOf(GOOD_AND_BAD), 1);
    expect(error).toMatchObject({ name: 'RetriableJobError', code: 'school-busy' });
    expect(run.logs.some((l) => l.message.includes('other-task'))).toBe(true);
    expect(existsSync(join(workRoot, `task-${n}`))).toBe(false);
    expect(await store.size(key)).toBeGreaterThan(0);
  } finally {
    await conn.db!.collection(LEASE_COLLECTION).deleteOne({ _id: 'import:school:sch0001' } as never);
  }
});

test('a known file past the per-file size cap fails for good before it is extracted', async () => {
  const worker = createCloudImportWorker({ workRoot, maxFileBytes: 10_000 });
  const before = await datasetFingerprint();
  const key = 'uploads/big-file/data.zip';
  const rows = 'sch0001-p1,sch0001,sch0001-c01,A,B\n'.repeat(1000);
  await store.put(key, zipOf({ 'pupils.csv': `pupil_id,school_id,class_id,given_name,family_name\n${rows}` }), 'application/zip');
  const run = directJobContext<CloudImportParams>({ type: 'cloud-import', params: { uploadKey: key }, db: conn, store, taskId: 'big-file' });
  await expect(worker.handler(run.ctx)).rejects.toMatchObject({ name: 'PermanentJobError', code: 'file-too-large', message: expect.stringContaining('pupils.csv') });
  expect(await datasetFingerprint()).toBe(before);
  await expectCleanedUp(key);
});

test('a missing upload fails for good', async () => {
  const worker = createCloudImportWorker({ workRoot });
  const run = directJobContext<CloudImportParams>({ type: 'cloud-import', params: { uploadKey: 'uploads/none/x.zip' }, db: conn, store });
  await expect(worker.handler(run.ctx)).rejects.toMatchObject({ code: 'upload-missing' });
});
