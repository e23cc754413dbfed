import { schoolModels } from '@taskyard/school-data';
import { startImportHarness, type ImportHarness } from './import-harness';
import { zipOf } from './zip-fixtures';

/** Issue 18's exact cases: every row is accepted only when all it names is valid and the importing school's. */
let h: ImportHarness;

const csv = (...lines: string[]): string => lines.join('\r\n');
const CLASSES = 'class_id,school_id,name,year_group';
const PUPILS = 'pupil_id,school_id,class_id,given_name,family_name';
const SPELLING = 'school_id,pupil_id,week,word,correct';
const SCORES = 'school_id,batch_id,channel,pupil_id,content_id,subject,score,max_score,attempted_at';

beforeAll(async () => {
  h = await startImportHarness('import-integrity');
  const m = schoolModels(h.conn);
  // "sa" imports; "sz" is another school the zip never names (so the import does not load it).
  await m.School.insertMany([{ _id: 'sa', name: 'School A' }, { _id: 'sz', name: 'School Z' }]);
  await m.Class.insertMany([{ _id: 'sa-c1', schoolId: 'sa', name: '3A', yearGroup: 3 }, { _id: 'sz-c1', schoolId: 'sz', name: 'Z1', yearGroup: 5 }]);
  await m.Pupil.insertMany([
    { _id: 'sa-p1', schoolId: 'sa', classId: 'sa-c1', givenName: 'Ada', familyName: 'Ørsted' },
    { _id: 'sz-p1', schoolId: 'sz', classId: 'sz-c1', givenName: 'Zed', familyName: 'Zulu' },
  ]);
});
afterAll(async () => {
  await h?.close();
});

/** Every stored test and score of school sa names a pupil of sa and (for tests) a class of sa. */
async function expectNothingLeaked(): Promise<void> {
  const m = schoolModels(h.conn);
  const classes = new Set((await m.Class.find({ schoolId: 'sa' }).lean()).map((c) => c._id));
  const pupils = await m.Pupil.find({ schoolId: 'sa' }).lean();
  expect(pupils.filter((p) => !classes.has(p.classId))).toEqual([]);
  const pupilIds = new Set(pupils.map((p) => p._id));
  const weeks = await m.SpellingWeek.find({ schoolId: 'sa' }).lean();
  expect(weeks.filter((w) => !classes.has(w.classId) || !pupilIds.has(w.pupilId))).toEqual([]);
  expect((await m.AssessmentScore.find({ schoolId: 'sa' }).lean()).filter((s) => !pupilIds.has(s.pupilId))).toEqual([]);
  expect(await m.Class.findById('sz-c1').lean()).toEqual({ _id: 'sz-c1', schoolId: 'sz', name: 'Z1', yearGroup: 5 });
  expect(await m.Pupil.findById('sz-p1').lean()).toMatchObject({ schoolId: 'sz', classId: 'sz-c1', givenName: 'Zed' });
}

test('issue 18, defect 1: a rejected row of another school\'s class or pupil leaks into nothing that refers to it', async () => {
  const { run, error } = await h.runImport(
    zipOf({
      'classes.csv': csv(CLASSES, 'sz-c1,sa,Stolen,3', 'sa-c2,sa,4B,4'),
      'pupils.csv': csv(PUPILS, 'sa-p2,sa,sz-c1,Ann,Lee', 'sz-p1,sa,sa-c2,Zed,Zulu', 'sa-p3,sa,sa-c2,Cat,Ng'),
      'spelling_results.csv': csv(SPELLING, 'sa,sz-p1,2025-01-06,friend,1', 'sa,sa-p2,2025-01-06,friend,1', 'sa,sa-p3,2025-01-06,friend,0', 'sa,sa-p1,2025-01-06,friend,1'),
      'assessment_scores.csv': csv(SCORES, 'sa,sa-b1,TPD,sz-p1,do_1,maths,5,10,2025-01-10', 'sa,sa-b1,TPD,sa-p3,do_1,maths,6,10,2025-01-10'),
    }),
  );
  expect(error).toBeUndefined();
  expect((await h.rejectedOf(run, 'classes.csv')).map((r) => [r.row, r.column])).toEqual([[2, 'class_id']]);
  expect(await h.rejectedOf(run, 'pupils.csv')).toEqual([
    { row: 2, column: 'class_id', reason: 'no class sz-c1 in school sa' },
    { row: 3, column: 'pupil_id', reason: 'pupil sz-p1 belongs to school sz' },
  ]);
  expect(await h.rejectedOf(run, 'spelling_results.csv')).toEqual([
    { row: 2, column: 'pupil_id', reason: 'no pupil sz-p1 in school sa' },
    { row: 3, column: 'pupil_id', reason: 'no pupil sa-p2 in school sa' },
  ]);
  expect((await h.rejectedOf(run, 'assessment_scores.csv')).map((r) => [r.row, r.column])).toEqual([[2, 'pupil_id']]);
  const m = schoolModels(h.conn);
  expect((await m.SpellingWeek.find({ schoolId: 'sa' }).lean()).map((w) => w.pupilId).sort()).toEqual(['sa-p1', 'sa-p3']);
  await expectNothingLeaked();
  const summary = await h.summaryOf(run);
  expect(summary.totals).toEqual({ rows: 11, accepted: 5, rejected: 6 });
});

test('issue 18, defect 2: an impossible attempted_at (2024-02-30) is rejected with a reason, not stored as 1 March', async () => {
  const { run } = await h.runImport(zipOf({ 'assessment_scores.csv': csv(SCORES, 'sa,sa-b2,TPD,sa-p1,do_9,maths,5,10,2024-02-30', 'sa,sa-b2,TPD,sa-p1,do_8,maths,5,10,2024-02-29T10:00:00') }));
  expect(await h.rejectedOf(run, 'assessment_scores.csv')).toEqual([{ row: 2, column: 'attempted_at', reason: '"2024-02-30" is not a date in the calendar' }]);
  const m = schoolModels(h.conn);
  expect(await m.AssessmentScore.findById('sa-b2:sa-p1:do_9').lean()).toBeNull();
  expect(await m.AssessmentScore.findById('sa-b2:sa-p1:do_8').lean()).toMatchObject({ attemptedAt: '2024-02-29T10:00:00.000Z' });
});

test('issue 18, defect 3: a repeated id in one file is rejected (the first row stands) and the counts are honest', async () => {
  const { run } = await h.runImport(
    zipOf({
      'classes.csv': csv(CLASSES, 'sa-c3,sa,5C,5', 'sa-c3,sa,5D,5'),
      'pupils.csv': csv(PUPILS, 'sa-p4,sa,sa-c3,Dee,First', 'sa-p5,sa,sa-c3,Eve,Ok', 'sa-p4,sa,sa-c1,Dee,Second'),
      'assessment_scores.csv': csv(SCORES, 'sa,sa-b3,TPD,sa-p4,do_1,maths,1,10,2025-01-10', 'sa,sa-b3,TPD,sa-p4,do_1,maths,9,10,2025-01-11'),
    }),
  );
  expect(await h.rejectedOf(run, 'classes.csv')).toEqual([{ row: 3, column: 'class_id', reason: 'class sa-c3 is already in row 2 of this file; the repeat is not imported' }]);
  expect(await h.rejectedOf(run, 'pupils.csv')).toEqual([{ row: 4, column: 'pupil_id', reason: 'pupil sa-p4 is already in row 2 of this file; the repeat is not imported' }]);
  expect((await h.rejectedOf(run, 'assessment_scores.csv')).map((r) => [r.row, r.column])).toEqual([[3, 'content_id']]);
  const m = schoolModels(h.conn);
  expect(await m.Class.findById('sa-c3').lean()).toMatchObject({ name: '5C' });
  expect(await m.Pupil.findById('sa-p4').lean()).toMatchObject({ classId: 'sa-c3', familyName: 'First' });
  expect(await m.AssessmentScore.findById('sa-b3:sa-p4:do_1').lean()).toMatchObject({ score: 1 });
  const summary = await h.summaryOf(run);
  expect(summary.files['pupils.csv']).toMatchObject({ rows: 3, accepted: 2, rejected: 1, documents: { inserted: 2 } });
  expect(summary.totals).toEqual({ rows: 7, accepted: 4, rejected: 3 });
});

test('issue 18, defect 6: rows refused for another school\'s ownership keep their place in the rejected file', async () => {
  const { run } = await h.runImport(
    zipOf({
      'classes.csv': csv(CLASSES, 'sz-c1,sa,Stolen,3', 'sa-c4,sa,6E,six', 'sa-c4b,sa,6F,6'),
      'pupils.csv': csv(PUPILS, 'sz-p1,sa,sa-c1,Zed,Zulu', 'sa-p6,sa,sa-c1,,Nameless', 'sa-p7,sa,sa-c1,Fay,Fine'),
    }),
  );
  expect((await h.rejectedOf(run, 'classes.csv')).map((r) => [r.row, r.column])).toEqual([[2, 'class_id'], [3, 'year_group']]);
  expect((await h.rejectedOf(run, 'pupils.csv')).map((r) => [r.row, r.column])).toEqual([[2, 'pupil_id'], [3, 'given_name']]);
  expect((await h.summaryOf(run)).totals).toEqual({ rows: 6, accepted: 2, rejected: 4 });
  await expectNothingLeaked();
});
