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
  for await (const r of readCsvRows(path, { required, sink: { add: (x) => void rejected.push(x), ready: async () => undefined }, stats })) rows.push(r);
  return { rows, rejected, stats };
}

test('rows come with their spreadsheet row number, by column name in any order and case, trimmed', async () => {
  const { rows, rejected } = await read('\ufeffB, A ,extra\n2,1,x\n"4, quoted",3,y\n', ['a', 'b']);
  expect(rejected).toEqual([]);
  expect(rows).toEqual([
    { row: 2, values: { b: '2', a: '1', extra: 'x' } },
    { row: 3, values: { b: '4, quoted', a: '3', extra: 'y' } },
  ]);
});

test('a row with the wrong number of fields or unreadable quoting is reported and the numbering stays right', async () => {
  const { rows, rejected, stats } = await read('a,b\n1,2\n1,2,3\nx"y,2\n5,6\n', ['a', 'b']);
  expect(rows.map((r) => r.row)).toEqual([2, 5]);
  // The parser reports an unreadable record as it meets it, so rejections need not come in row order.
  expect(rejected.map((r) => r.row).sort()).toEqual([3, 4]);
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
    for await (const r of readCsvRows(path, { required: ['a', 'b'], sink: { add: () => undefined, ready: async () => undefined }, maxRecordChars: 1000 })) rows.push(r);
  };
  await expect(read()).rejects.toMatchObject({ name: 'PermanentJobError', code: 'record-too-large', message: expect.stringContaining('1000 characters') });
  expect(rows.map((r) => r.values.a)).not.toContain('5');
});
