import { bit, id, Invalid, type Rule } from './field-rules';
import type { Rejection } from './rejections';
import { RowRules } from './row-rules';

const collect = (): { seen: Rejection[]; sink: { add: (r: Rejection) => void; ready: () => Promise<void> } } => {
  const seen: Rejection[] = [];
  return { seen, sink: { add: (r) => void seen.push(r), ready: async () => undefined } };
};

test('a row is parsed by its columns in order; every failing column of a row is reported', () => {
  const { seen, sink } = collect();
  const rules = new RowRules({ pupil_id: id, correct: bit });
  expect(rules.columns).toEqual(['pupil_id', 'correct']);
  expect(rules.parse({ row: 7, fields: ['p1', '1'] }, sink)).toEqual({ pupil_id: 'p1', correct: true });
  expect(rules.parse({ row: 8, fields: ['', 'x'] }, sink)).toBeUndefined();
  expect(seen.map((r) => `${r.row}:${r.column}`)).toEqual(['8:pupil_id', '8:correct']);
});

test("a value equal to the column's value in the row before is not checked again, and its problem is still reported", () => {
  const calls: string[] = [];
  const counted: Rule<string> = (raw) => {
    calls.push(raw);
    return raw === 'bad' ? new Invalid('is bad') : raw.toUpperCase();
  };
  const { seen, sink } = collect();
  const rules = new RowRules({ a: counted, b: counted });
  const rows = [['x', 'y'], ['x', 'z'], ['bad', 'z'], ['bad', 'y'], ['x', 'y']];
  const out = rows.map((fields, i) => rules.parse({ row: i + 2, fields }, sink));
  expect(out).toEqual([{ a: 'X', b: 'Y' }, { a: 'X', b: 'Z' }, undefined, undefined, { a: 'X', b: 'Y' }]);
  expect(calls).toEqual(['x', 'y', 'z', 'bad', 'y', 'x']);
  expect(seen).toEqual([
    { row: 4, column: 'a', reason: 'is bad' },
    { row: 5, column: 'a', reason: 'is bad' },
  ]);
});
