import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readCsvRows, type CsvRow, type CsvStats } from './csv-rows';
import type { Rejection } from './rejections';

const dir = mkdtempSync(join(tmpdir(), 'csv-rows-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function read(body: string, required: string[]): Promise<{ rows: CsvRow[]; rejected: Rejection[]; stats: CsvStats }> {
  const path = join(dir, `f${Math.random()}.csv`);
  writeFileSync(path, body);
  const rejected: Rejection[] = [];
  const stats: CsvStats = { dataRows: 0 };
  const rows: CsvRow[] = [];
  for await (const chunk of readCsvRows(path, { required, sink: { add: (x) => void rejected.push(x), ready: async () => undefined }, stats })) rows.push(...chunk);
  return { rows, rejected, stats };
}

test('rows come with their spreadsheet row number, the required columns in their order whatever the header says, trimmed', async () => {
  const { rows, rejected } = await read('\ufeffB, A ,extra\n2,1,x\n"4, quoted",3,y\n', ['a', 'b']);
  expect(rejected).toEqual([]);
  expect(rows).toEqual([
    { row: 2, fields: ['1', '2'] },
    { row: 3, fields: ['3', '4, quoted'] },
  ]);
});

test('a row with the wrong number of fields or unreadable quoting is reported and the numbering stays right', async () => {
  const { rows, rejected, stats } = await read('a,b\n1,2\n1,2,3\nx"y,2\n5,6\n', ['a', 'b']);
  expect(rows.map((r) => r.row)).toEqual([2, 5]);
  expect(rejected.map((r) => [r.row, r.reason])).toEqual([
    [3, 'has 3 fields where the header has 2'],
    [4, expect.stringMatching(/^unreadable CSV: a quote inside a field/)],
  ]);
  expect(stats.dataRows).toBe(4);
});

test('a header without a required column refuses the file', async () => {
  const { rows, rejected, stats } = await read('a\n1\n', ['a', 'b']);
  expect(rows).toEqual([]);
  expect(rejected).toEqual([{ row: 1, column: 'b', reason: expect.stringContaining('no "b" column') }]);
  expect(stats.refused).toMatch(/missing/);
});

test('a record longer than the cap fails the file for good', async () => {
  const path = join(dir, 'huge.csv');
  writeFileSync(path, `a,b\n1,2\n3,${'x'.repeat(1024 * 1024)}\n5,6\n`);
  const rows: CsvRow[] = [];
  const read = async (): Promise<void> => {
    for await (const chunk of readCsvRows(path, { required: ['a', 'b'], sink: { add: () => undefined, ready: async () => undefined }, maxRecordChars: 1000 })) rows.push(...chunk);
  };
  await expect(read()).rejects.toMatchObject({ name: 'PermanentJobError', code: 'record-too-large', message: expect.stringContaining('1000 characters') });
  expect(rows.map((r) => r.fields[0])).not.toContain('5');
});

test('rows are read the same whatever the chunks the file comes in: a file of many chunks, CRLF, quoted line breaks', async () => {
  const lines = ['a,b'];
  for (let i = 0; i < 30_000; i++) lines.push(i % 1000 === 7 ? `"line\r\nbreak ${i}",${i}` : `v${i},${i}`);
  const { rows, rejected, stats } = await read(`${lines.join('\r\n')}\r\n`, ['b', 'a']);
  expect(rejected).toEqual([]);
  expect(stats.dataRows).toBe(30_000);
  expect(rows[7]).toEqual({ row: 9, fields: ['7', 'line\r\nbreak 7'] });
  expect(rows[29_999]).toEqual({ row: 30_001, fields: ['29999', 'v29999'] });
  expect(rows.every((r, i) => r.row === i + 2 && r.fields[0] === String(i))).toBe(true);
});

test('an empty file and an unreadable header refuse the file', async () => {
  expect((await read('', ['a'])).stats.refused).toBe('the file is empty');
  const bad = await read('a,"b\n1,2\n', ['a']);
  expect(bad.stats.refused).toMatch(/^the header row is unreadable/);
  expect(bad.rows).toEqual([]);
});
