import { startDelayFromEnv } from './run-worker-service';

test('START_DELAY_MS unset or empty leaves the default', () => {
  expect(startDelayFromEnv({})).toBeUndefined();
  expect(startDelayFromEnv({ START_DELAY_MS: '' })).toBeUndefined();
});

test('START_DELAY_MS is read as whole milliseconds', () => {
  expect(startDelayFromEnv({ START_DELAY_MS: '1000' })).toBe(1000);
  expect(startDelayFromEnv({ START_DELAY_MS: '0' })).toBe(0);
});

test('a START_DELAY_MS that is not a whole number of milliseconds is refused, naming the value', () => {
  for (const bad of ['-1', '2.5', 'soon']) expect(() => startDelayFromEnv({ START_DELAY_MS: bad })).toThrow(`not "${bad}"`);
});
