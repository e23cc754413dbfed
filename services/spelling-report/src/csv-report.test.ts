import { PassThrough } from 'node:stream';
import { parse } from 'csv-parse/sync';
import { ClassGrid } from './class-grid';
import { CSV_COLUMNS, writeCsv } from './csv-report';
import type { ReportScope } from './report-scope';
import { WeekAxis } from './week-axis';

const FROM = '2024-09-02';
const TO = '2024-09-15';

function scopeOf(classes: ReportScope['classes']): ReportScope {
  return { school: { _id: 's1', name: 'Hill, "Upper"' }, filter: { schoolId: 's1', week: { $gte: FROM, $lte: TO } }, from: FROM, to: TO, classes, pupils: new Map() };
}

async function csvOf(scope: ReportScope, grids: ClassGrid[]): Promise<string> {
  const out = new PassThrough();
  const chunks: Buffer[] = [];
  out.on('data', (chunk: Buffer) => chunks.push(chunk));
  await writeCsv(out, scope, new WeekAxis(FROM, TO), grids);
  out.end();
  return Buffer.concat(chunks).toString('utf8');
}

test('a school with no class gets the byte-order mark and the header alone', async () => {
  expect(await csvOf(scopeOf([]), [])).toBe(`\ufeff${CSV_COLUMNS.join(',')}\n`);
});

test('names with commas, quotes and line breaks read back as written; a pupil with no test has one line with empty scores', async () => {
  const cls = { _id: 'c1', schoolId: 's1', name: '3A, "north"', yearGroup: 3 };
  const grid = new ClassGrid(cls, 2);
  grid.adopt({ _id: 'p1', schoolId: 's1', classId: 'c1', givenName: 'Zoë', familyName: "O'Neil,\nJr" }, Uint8Array.of(7, 0), Uint8Array.of(8, 0));
  grid.enrol({ _id: 'p2', schoolId: 's1', classId: 'c1', givenName: 'Åsa', familyName: '"Quoted"' });
  const text = await csvOf(scopeOf([cls]), [grid]);
  expect(text.startsWith('\ufeff')).toBe(true);
  const rows = parse(text.slice(1), { columns: true }) as Record<string, string>[];
  expect(rows).toEqual([
    { school_id: 's1', class_id: 'c1', class_name: '3A, "north"', pupil_id: 'p2', family_name: '"Quoted"', given_name: 'Åsa', week: '', correct: '', words: '', percent: '' },
    { school_id: 's1', class_id: 'c1', class_name: '3A, "north"', pupil_id: 'p1', family_name: "O'Neil,\nJr", given_name: 'Zoë', week: '2024-09-02', correct: '7', words: '8', percent: '87.5' },
  ]);
});
