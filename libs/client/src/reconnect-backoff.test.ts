import { DEFAULT_BACKOFF, reconnectDelayMs } from './reconnect-backoff';

test('the wait doubles from the initial delay and stops at the maximum', () => {
  const policy = { initialMs: 100, maxMs: 1_000, maxAttempts: 10 };
  expect([1, 2, 3, 4, 5, 6].map((a) => reconnectDelayMs(a, policy))).toEqual([100, 200, 400, 800, 1_000, 1_000]);
});

test("a server's Retry-After is honoured when longer, within a cap", () => {
  expect(reconnectDelayMs(1, DEFAULT_BACKOFF, 2)).toBe(2_000);
  expect(reconnectDelayMs(1, DEFAULT_BACKOFF, 0)).toBe(DEFAULT_BACKOFF.initialMs);
  expect(reconnectDelayMs(1, DEFAULT_BACKOFF, 86_400)).toBe(DEFAULT_BACKOFF.maxMs * 4);
});
