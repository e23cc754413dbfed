import ExcelJS from 'exceljs';
import mongoose, { type Connection } from 'mongoose';
import type { SpellingReportParams } from '@taskyard/contracts';
import { classId, percentOf, schoolModels, schoolId, seedDataset } from '@taskyard/school-data';
import { directJobContext, runDirect } from '@taskyard/school-data/src/testing/direct-job-context';
import { ObjectStore } from '@taskyard/storage';
import { testServers, type TestServers } from '@taskyard/testing';
import { spellingReportWorker } from '../src/spelling-report-handler';
import { SUMMARY_HEADERS } from '../src/xlsx-report';

let servers: TestServers;
let conn: Connection;
let store: ObjectStore;

const SCHOOL = schoolId(1);
const CLASS = classId(SCHOOL, 1);
const FROM = '2024-09-02';
const TO = '2024-10-13'; // six weeks

beforeAll(async () => {
  servers = await testServers('spelling-report');
  conn = await mongoose.createConnection(servers.mongoUrl).asPromise();
  store = new ObjectStore(servers.s3);
  // 70 pupils in 3 classes, 8 weeks: the report covers the first 6 only.
  await seedDataset(conn, { schools: 2, pupilsPerSchool: 70, weeks: 8, assessmentsPerBatch: 0, seed: 42 });
});
afterAll(async () => {
  store?.close();
  await conn?.close();
  await servers?.cleanup();
});

const round1 = (n: number): number => Math.round(n * 10) / 10;
const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;

/** The expected figures, computed straight from the seeded documents, not through the report's code. */
async function expectedForClass(cls: string): Promise<{ pupilAverage: Map<string, number>; weekAverage: Map<string, number>; classAverage: number; rows: number }> {
  const docs = await conn.db!.collection('spelling_weeks').find({ classId: cls }).toArray();
  const inRange = docs.filter((d) => d.week >= FROM && d.week <= TO);
  const byPupil = new Map<string, number[]>();
  const byWeek = new Map<string, number[]>();
  for (const d of inRange) {
    const ones = [...(d.results as string)].filter((ch) => ch === '1').length;
    const pct = (100 * ones) / (d.results as string).length;
    byPupil.set(d.pupilId, [...(byPupil.get(d.pupilId) ?? []), pct]);
    byWeek.set(d.week, [...(byWeek.get(d.week) ?? []), pct]);
  }
  return {
    pupilAverage: new Map([...byPupil].map(([p, xs]) => [p, mean(xs)])),
    weekAverage: new Map([...byWeek].map(([w, xs]) => [w, mean(xs)])),
    classAverage: mean(inRange.map((d) => percentOf(d.results)!)),
    rows: inRange.length,
  };
}

const keyOf = (artifacts: { name: string; key: string }[], name: string): string => artifacts.find((a) => a.name === name)!.key;

async function workbookOf(key: string): Promise<ExcelJS.Workbook> {
  const wb = new ExcelJS.Workbook();
  const bytes = await store.getBuffer(key);
  await wb.xlsx.load(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer);
  return wb;
}

test('a class report matches figures computed from the seeded rows; the xlsx opens with a summary and the class sheet', async () => {
  const params: SpellingReportParams = { scope: 'class', schoolId: SCHOOL, classId: CLASS, from: FROM, to: TO };
  const run = await runDirect(spellingReportWorker, { params, db: conn, store });
  expect(run.artifacts.map((a) => a.name).sort()).toEqual(['report.csv', 'report.xlsx']);
  expect(run.progress.at(-1)).toBe(100);
  expect([...run.progress]).toEqual([...run.progress].sort((a, b) => a - b));

  const expected = await expectedForClass(CLASS);
  const cls = await schoolModels(conn).Class.findById(CLASS).lean();
  const wb = await workbookOf(keyOf(run.artifacts, 'report.xlsx'));
  expect(wb.worksheets.map((w) => w.name)).toEqual(['Summary', cls!.name]);

  const sheet = wb.getWorksheet(cls!.name)!;
  expect(sheet.views[0]).toMatchObject({ state: 'frozen', ySplit: 1, xSplit: 3 });
  const header = (sheet.getRow(1).values as ExcelJS.CellValue[]).slice(1);
  expect(header.slice(3, 9)).toEqual(['w/c 2024-09-02', 'w/c 2024-09-09', 'w/c 2024-09-16', 'w/c 2024-09-23', 'w/c 2024-09-30', 'w/c 2024-10-07']);
  const avgCol = header.indexOf('Average %') + 1;
  let pupils = 0;
  sheet.eachRow((row, n) => {
    const id = row.getCell(1).value as string;
    if (n === 1 || id === 'Class average') return;
    pupils++;
    expect(round1(row.getCell(avgCol).value as number)).toBe(round1(expected.pupilAverage.get(id)!));
  });
  expect(pupils).toBe(expected.pupilAverage.size);
  const footer = sheet.getRow(pupils + 2);
  expect(footer.getCell(1).value).toBe('Class average');
  expect(round1(footer.getCell(4).value as number)).toBe(round1(expected.weekAverage.get('2024-09-02')!));
  expect(round1(footer.getCell(avgCol).value as number)).toBe(round1(expected.classAverage));
  expect(sheet.getRow(1).getCell(1).font?.bold).toBe(true);

  const summary = wb.getWorksheet('Summary')!;
  expect((summary.getRow(1).values as ExcelJS.CellValue[]).slice(1)).toEqual(SUMMARY_HEADERS);
  expect(summary.getRow(2).getCell(1).value).toBe(cls!.name);
  expect(summary.getRow(2).getCell(4).value).toBe(expected.rows);
  expect(round1(summary.getRow(2).getCell(5).value as number)).toBe(round1(expected.classAverage));

  const csv = (await store.getBuffer(keyOf(run.artifacts, 'report.csv'))).toString().trim().split('\n');
  expect(csv[0]).toBe('school_id,class_id,class_name,pupil_id,family_name,given_name,week,correct,words,percent');
  expect(csv).toHaveLength(expected.rows + 1);
  expect(run.outcome).toMatchObject({ result: { tests: expected.rows, classes: 1 } });
});

test('a school report has a summary sheet and one sheet per class, and only the school\'s own tests', async () => {
  const params: SpellingReportParams = { scope: 'school', schoolId: SCHOOL, from: FROM, to: TO };
  const run = await runDirect(spellingReportWorker, { params, db: conn, store });
  const classes = await schoolModels(conn).Class.find({ schoolId: SCHOOL }).lean();
  const wb = await workbookOf(keyOf(run.artifacts, 'report.xlsx'));
  expect(wb.worksheets.map((w) => w.name)).toEqual(['Summary', ...classes.sort((a, b) => a.yearGroup - b.yearGroup || a.name.localeCompare(b.name)).map((c) => c.name)]);
  const all = await conn.db!.collection('spelling_weeks').countDocuments({ schoolId: SCHOOL, week: { $gte: FROM, $lte: TO } });
  expect(run.outcome).toMatchObject({ result: { tests: all, docsRead: all, classes: classes.length } });
  const summary = wb.getWorksheet('Summary')!;
  expect(summary.getRow(classes.length + 2).getCell(4).value).toBe(all);
});

test('bad params fail for good with a clear code', async () => {
  const cases: [SpellingReportParams, string][] = [
    [{ scope: 'school', schoolId: 'nope', from: FROM, to: TO }, 'school-not-found'],
    [{ scope: 'class', schoolId: SCHOOL, classId: classId(schoolId(2), 1), from: FROM, to: TO }, 'class-not-found'],
    [{ scope: 'school', schoolId: SCHOOL, from: TO, to: FROM }, 'invalid-range'],
  ];
  for (const [params, code] of cases) {
    const run = directJobContext({ type: 'spelling-report', params, db: conn, store });
    await expect(spellingReportWorker.handler(run.ctx)).rejects.toMatchObject({ name: 'PermanentJobError', code });
    expect(run.artifacts).toHaveLength(0);
  }
});

test('a report cancelled while it reads stops there: it fails with the cancel and writes no file', async () => {
  const params: SpellingReportParams = { scope: 'school', schoolId: SCHOOL, from: FROM, to: TO };
  const run = directJobContext({ type: 'spelling-report', params, db: conn, store });
  const progress = run.ctx.progress;
  // The first progress comes after the first batch of tests is folded: the read is under way.
  run.ctx.progress = (p) => {
    run.abort('cancelled by the owner');
    progress(p);
  };
  await expect(spellingReportWorker.handler(run.ctx)).rejects.toThrow('cancelled by the owner');
  expect(run.progress.length).toBeGreaterThan(0);
  expect(run.artifacts).toHaveLength(0);
});
