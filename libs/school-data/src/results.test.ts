import { packResults, percentOf, scoreOf } from './results';
import { addWeeks, isIsoDate, isMonday, mondayOf } from './weeks';
import { generateSchool, DEFAULT_SHAPE } from './generate-school';

test('packs word results into a 0/1 string and scores it', () => {
  const packed = packResults([true, false, true, true]);
  expect(packed).toBe('1011');
  expect(scoreOf(packed)).toEqual({ correct: 3, total: 4 });
  expect(percentOf(packed)).toBe(75);
  expect(percentOf('')).toBeUndefined();
});

test('weeks are Mondays written YYYY-MM-DD', () => {
  expect(isIsoDate('2024-02-30')).toBe(false);
  expect(isMonday('2024-09-02')).toBe(true);
  expect(mondayOf('2024-09-08')).toBe('2024-09-02');
  expect(addWeeks('2024-09-02', 5)).toBe('2024-10-07');
});

test('the generator is deterministic for a seed and differs for another', () => {
  const shape = { ...DEFAULT_SHAPE, pupilsPerSchool: 12, weeks: 2 };
  const a = [...generateSchool(1, shape)];
  const b = [...generateSchool(1, shape)];
  const c = [...generateSchool(1, { ...shape, seed: 2 })];
  expect(a).toEqual(b);
  expect(a).not.toEqual(c);
  const ids = a.map((i) => i.doc._id);
  expect(new Set(ids).size).toBe(ids.length);
});
