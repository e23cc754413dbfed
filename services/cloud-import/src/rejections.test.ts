import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RejectedRowsFile } from './rejections';

const dir = mkdtempSync(join(tmpdir(), 'rejections-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

test('rejections that come late are merged into row order; distinct rows are counted once', async () => {
  const file = new RejectedRowsFile(join(dir, 'rejected.csv'));
  file.add({ row: 2, column: 'a', reason: 'bad a' });
  file.add({ row: 5, column: 'a', reason: 'bad, quoted "a"' });
  file.add({ row: 5, column: 'b', reason: 'bad b' });
  file.add({ row: 9, column: '', reason: 'unreadable' });
  file.add({ row: 3, column: 'id', reason: 'another school' });
  file.add({ row: 7, column: 'id', reason: 'another school' });
  file.add({ row: 3, column: 'x', reason: 'second problem' });
  file.add({ row: 10, column: 'a', reason: 'in order again' });
  await file.close();
  expect(readFileSync(file.path, 'utf8').trim().split('\n')).toEqual([
    'row,column,reason',
    '2,a,bad a',
    '3,id,another school',
    '3,x,second problem',
    '5,a,"bad, quoted ""a"""',
    '5,b,bad b',
    '7,id,another school',
    '9,,unreadable',
    '10,a,in order again',
  ]);
  expect(file.rows).toBe(6);
});
