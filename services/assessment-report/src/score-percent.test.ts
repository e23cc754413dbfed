import { scorePercent } from './score-percent';

test('percentages round half up to one decimal on the decimals as written, not on binary floating point', () => {
  expect(scorePercent(1.005, 10)).toBe(10.1);
  expect(scorePercent(1.15, 20)).toBe(5.8);
  expect(scorePercent(1, 8)).toBe(12.5);
  expect(scorePercent(1, 16)).toBe(6.3);
  expect(scorePercent(2, 3)).toBe(66.7);
  expect(scorePercent(17, 20)).toBe(85);
  expect(scorePercent(0, 20)).toBe(0);
  expect(scorePercent(5, 0)).toBe(0);
});
