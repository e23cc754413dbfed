import { partialResult } from './task-result';

test('partialResult keeps the shortfalls with a count, and is nothing when none has', () => {
  const rejected = { count: 32, of: 148, one: 'row rejected', other: 'rows rejected' };
  const unknown = { count: 0, one: 'file not imported', other: 'files not imported' };
  expect(partialResult([rejected, unknown])).toEqual({ partial: [rejected] });
  expect(partialResult([unknown])).toEqual({});
  expect({ rows: 148, ...partialResult([]) }).toEqual({ rows: 148 });
});
