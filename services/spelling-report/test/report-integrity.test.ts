import ExcelJS from 'exceljs';
import { parse } from 'csv-parse/sync';
import type { Connection } from 'mongoose';
import type { SpellingReportParams } from '@taskyard/contracts';
import { runDirect } from '@taskyard/school-data/src/testing/direct-job-context';
import { startJobTestEnv, type JobTestEnv } from '@taskyard/school-data/src/testing/job-test-env';
import type { ObjectStore } from '@taskyard/storage';
import { spellingReportWorker } from '../src/spelling-report-handler';
import { insertSchool, randomSchool, type RandomSchool } from './random-school';
import { expectedReport, percentText, type ExpectedReport } from './reference-report';

type Doc = { _id: string } & Record<string, unknown>;

let env: JobTestEnv;
let conn: Connection;
let store: ObjectStore;

beforeAll(async () => {
  env = await startJobTestEnv('spelling-integrity');
  ({ conn, store } = env);
});
afterAll(async () => {
  await env?.close();
});

interface Files {
  outcome: { result: Record<string, unknown> };
  wb: ExcelJS.Workbook;
  csvBytes: Buffer;
  csv: string[][];
  logs: string[];
}

async function report(params: SpellingReportParams): Promise<Files> {
  const run = await runDirect(spellingReportWorker, { params, db: conn, store });
  const bytesOf = (name: string): Promise<Buffer> => store.getBuffer(run.artifacts.find((a) => a.name === name)!.key);
  const wb = new ExcelJS.Workbook();
  const xlsx = await bytesOf('report.xlsx');
  await wb.xlsx.load(xlsx.buffer.slice(xlsx.byteOffset, xlsx.byteOffset + xlsx.byteLength) as ArrayBuffer);
  const csvBytes = await bytesOf('report.csv');
  return { outcome: run.outcome as Files['outcome'], wb, csvBytes, csv: parse(csvBytes, { bom: true }) as string[][], logs: run.logs.map((l) => l.message) };
}

const values = (row: ExcelJS.Row): unknown[] => {
  const out: unknown[] = [];
  row.eachCell({ includeEmpty: true }, (cell, col) => (out[col - 1] = cell.value ?? null));
  return out;
};
const near = (actual: unknown, expected: number | null): void => {
  if (expected === null) expect(actual ?? null).toBeNull();
  else expect(actual as number).toBeCloseTo(expected, 9);
};

/** Compares every figure of both files with the recomputation. */
function expectMatches(files: Files, exp: ExpectedReport, schoolName: string): void {
  const { wb, csv } = files;
  expect(files.csvBytes.subarray(0, 3)).toEqual(Buffer.from([0xef, 0xbb, 0xbf]));
  expect(wb.worksheets.map((w) => w.name)).toEqual(['Summary', ...exp.classes.map((c) => c.cls.name.replace('/', '-'))]);
  const lines: string[][] = [];
  for (const [i, c] of exp.classes.entries()) {
    const ws = wb.worksheets[i + 1];
    expect(values(ws.getRow(1))).toEqual(['Pupil ID', 'Family name', 'Given name', ...exp.weeks.map((w) => `w/c ${w}`), 'Average %', 'Tests']);
    for (const [r, row] of c.rows.entries()) {
      const got = values(ws.getRow(r + 2));
      expect(got.slice(0, 3)).toEqual([row.pupilId, row.familyName, row.givenName]);
      expect(got.slice(3, 3 + exp.weeks.length)).toEqual(row.cells.map((cell) => (cell ? Number(percentText(cell[0], cell[1])) : null)));
      near(got[3 + exp.weeks.length], row.average);
      expect(got[4 + exp.weeks.length]).toBe(row.tests);
      const who = [c.cls.schoolId, c.cls._id, c.cls.name, row.pupilId, row.familyName, row.givenName];
      row.cells.forEach((cell, w) => cell && lines.push([...who, exp.weeks[w], String(cell[0]), String(cell[1]), percentText(cell[0], cell[1])]));
      if (row.tests === 0) lines.push([...who, '', '', '', '']);
    }
    const footer = values(ws.getRow(c.rows.length + 2));
    expect(footer[0]).toBe('Class average');
    expect(footer.slice(3, 3 + exp.weeks.length)).toEqual(c.weekAverages);
    near(footer[3 + exp.weeks.length], c.average);
    const sum = values(wb.worksheets[0].getRow(i + 2));
    expect(sum.slice(0, 4)).toEqual([c.cls.name, c.cls.yearGroup, c.rows.length, c.tests]);
    [c.average, c.lowest, c.highest].forEach((x, k) => near(sum[4 + k], x));
  }
  const total = values(wb.worksheets[0].getRow(exp.classes.length + 2));
  expect(total.slice(0, 4)).toEqual([`${schoolName} (all classes)`, null, exp.distinctPupils, exp.tests]);
  const all = exp.classes.flatMap((c) => c.rows.flatMap((r) => r.cells.filter((x): x is [number, number] => x !== null).map(([k, n]) => (100 * k) / n)));
  near(total[4], all.length ? all.reduce((x, y) => x + y, 0) / all.length : null);
  expect(csv).toEqual([['school_id', 'class_id', 'class_name', 'pupil_id', 'family_name', 'given_name', 'week', 'correct', 'words', 'percent'], ...lines]);
  expect(files.outcome.result).toMatchObject({ classes: exp.classes.length, pupils: exp.distinctPupils, tests: exp.tests, docsRead: exp.docsRead });
}

const SEEDS = process.env.PROPERTY_SEEDS ? process.env.PROPERTY_SEEDS.split(',').map(Number) : [1, 2, 3];

describe('property: a random school\'s report matches a separate recomputation, figure by figure', () => {
  test.each(SEEDS)('seed %i', async (seed) => {
    const school: RandomSchool = randomSchool(seed, `s${seed}`);
    await insertSchool(conn, school);
    const params = { schoolId: school.schoolId, from: school.from, to: school.to };
    const whole = await report({ scope: 'school', ...params });
    expectMatches(whole, expectedReport({ ...school, ...params }), `School ${school.schoolId}`);
    const classId = school.classes.find((c) => c.schoolId === school.schoolId)!._id;
    const one = await report({ scope: 'class', classId, ...params });
    expectMatches(one, expectedReport({ ...school, ...params, classId }), `School ${school.schoolId}`);
  });
});

describe('issue 18 regressions', () => {
  const S = 'reg';
  const params: SpellingReportParams = { scope: 'school', schoolId: S, from: '2024-09-04', to: '2024-09-20' };
  let files: Files;
  beforeAll(async () => {
    const db = conn.db!;
    await db.collection<Doc>('schools').insertOne({ _id: S, name: 'Regression' });
    await db.collection<Doc>('classes').insertMany([{ _id: 'reg-c1', schoolId: S, name: '3A', yearGroup: 3 }, { _id: 'reg-c2', schoolId: S, name: '3B', yearGroup: 3 }]);
    await db.collection<Doc>('pupils').insertMany([
      { _id: 'reg-p1', schoolId: S, classId: 'reg-c2', givenName: 'Hans', familyName: 'Ørsted' },
      { _id: 'reg-p2', schoolId: S, classId: 'reg-c1', givenName: 'Ada', familyName: 'Absent' },
      { _id: 'other-p1', schoolId: 'other', classId: 'other-c1', givenName: 'Not', familyName: 'Ours' },
    ]);
    const test = (pupilId: string, classId: string, week: string, results: string) => ({ _id: `${pupilId}:${week}`, schoolId: S, classId, pupilId, week, testId: 't', results });
    await db.collection<Doc>('spelling_weeks').insertMany([
      test('reg-p1', 'reg-c1', '2024-09-02', '1100'), // before moving to 3B
      test('reg-p1', 'reg-c2', '2024-09-16', '1110'), // 2024-09-09: no test at all
      test('other-p1', 'reg-c1', '2024-09-02', '1111'), // another school's pupil, filed here by a leaky import
    ]);
    files = await report(params);
  });

  test('defect 4: a pupil with tests under two classes counts once in the school total', () => {
    expect(values(files.wb.getWorksheet('Summary')!.getRow(4)).slice(0, 4)).toEqual(['Regression (all classes)', null, 2, 2]);
    expect(files.outcome.result).toMatchObject({ pupils: 2, tests: 2, docsRead: 3 });
  });

  test('defect 5: a pupil with no test is listed with no score; a week with no test is an empty column', () => {
    const { wb, csv } = files;
    const ws = wb.getWorksheet('3A')!;
    expect(values(ws.getRow(1))).toEqual(['Pupil ID', 'Family name', 'Given name', 'w/c 2024-09-02', 'w/c 2024-09-09', 'w/c 2024-09-16', 'Average %', 'Tests']);
    expect(values(ws.getRow(2))).toEqual(['reg-p2', 'Absent', 'Ada', null, null, null, null, 0]);
    expect(values(ws.getRow(3))).toEqual(['reg-p1', 'Ørsted', 'Hans', 50, null, null, 50, 1]);
    expect(csv).toContainEqual(['reg', 'reg-c1', '3A', 'reg-p2', 'Absent', 'Ada', '', '', '', '']);
  });

  test('defect 5: a mid-week from brings in its whole week, and the sheet and the log say so', () => {
    const { wb, logs } = files;
    const rule = 'every week with a day from 2024-09-04 to 2024-09-20: weeks commencing 2024-09-02 to 2024-09-16; a test counts in the week it is filed under';
    const notes: unknown[] = [];
    wb.getWorksheet('Summary')!.eachRow((row) => notes.push(row.getCell(1).value));
    expect(notes).toContain(`Spelling scores: percent of words spelt right per weekly test; ${rule}.`);
    expect(logs.some((l) => l.includes(rule))).toBe(true);
  });

  test('defect 5: report.csv starts with a UTF-8 byte-order mark, so Excel reads Ørsted right', () => {
    const { csvBytes } = files;
    expect([...csvBytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    expect(csvBytes.toString('utf8')).toContain('Ørsted');
  });

  test('defect 1: a test filed under the school for another school\'s pupil is not in the report', () => {
    const { csv, logs } = files;
    expect(csv.some((line) => line[3] === 'other-p1')).toBe(false);
    expect(logs.some((l) => l.includes('1 not the report'))).toBe(true);
  });
});
