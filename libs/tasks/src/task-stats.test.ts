import { DURATION_BOUNDS_MS, GRANULARITY, addCounts, blockEndMs, blockOf, durationBucket, fieldName, periodBlockKey, quantileMs, statsWindow } from './task-stats';

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

test('a window names the blocks of its periods, once each and oldest first; a block ends with its last period', () => {
  const { periodMs, perBlock } = GRANULARITY.m;
  // 12:00:30 on a block boundary of 10 minutes: the last 60 minutes span 7 blocks (a partial one at each end).
  const now = 29_000_000 * periodMs + 30_000;
  const w = statsWindow('m', now, 60);
  expect(w).toEqual({ first: 29_000_000 - 59, last: 29_000_000, blocks: [2_899_994, 2_899_995, 2_899_996, 2_899_997, 2_899_998, 2_899_999, 2_900_000] });
  expect(statsWindow('m', now, 1).blocks).toEqual([blockOf('m', 29_000_000)]);
  expect(periodBlockKey('m', 29_000_009, '*')).toBe('m|2900000|*');
  expect(blockEndMs('m', 2_900_000)).toBe(2_900_001 * perBlock * periodMs);
});
