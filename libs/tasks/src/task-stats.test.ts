import { DURATION_BOUNDS_MS, addCounts, durationBucket, fieldName, quantileMs } from './task-stats';

test('durations fall in the first bucket whose bound holds them; past the last bound, the open bucket', () => {
  expect(durationBucket(0)).toBe(0);
  expect(durationBucket(50)).toBe(0);
  expect(durationBucket(51)).toBe(1);
  expect(durationBucket(10 ** 9)).toBe(DURATION_BOUNDS_MS.length);
});

test('quantiles interpolate inside the bucket, as histogram_quantile does', () => {
  // 10 observations in (1000, 2500]: the median is half-way.
  expect(quantileMs({ '5': 10 }, 0.5)).toBe(1750);
  // 90 fast, 10 slow: p50 among the fast, p95 among the slow.
  const mixed = { '1': 90, '9': 10 };
  expect(quantileMs(mixed, 0.5)).toBeLessThanOrEqual(100);
  expect(quantileMs(mixed, 0.95)).toBeGreaterThan(30_000);
  expect(quantileMs(mixed, 0.95)).toBeLessThanOrEqual(60_000);
  expect(quantileMs({}, 0.5)).toBeUndefined();
  expect(quantileMs({ [String(DURATION_BOUNDS_MS.length)]: 3 }, 0.5)).toBe(DURATION_BOUNDS_MS[DURATION_BOUNDS_MS.length - 1]);
});

test('counts add up field by field, keeping one sample message per reason', () => {
  const sum = addCounts({ started: 1, wait: { '2': 1 }, reasons: { a: 1 }, sample: { a: 'first' } }, { started: 2, failed: 1, wait: { '2': 1, '3': 4 }, reasons: { a: 1, b: 2 }, sample: { a: 'second', b: 'b' } });
  expect(sum).toEqual({ started: 3, failed: 1, wait: { '2': 2, '3': 4 }, reasons: { a: 2, b: 2 }, sample: { a: 'first', b: 'b' } });
});

test('names from handlers become safe field names', () => {
  expect(fieldName('a.b$c d')).toBe('a_b_c_d');
  expect(fieldName('')).toBe('_');
  expect(fieldName('x'.repeat(100))).toHaveLength(64);
});
