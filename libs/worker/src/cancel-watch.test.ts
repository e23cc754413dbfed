import { CancelWatch } from './cancel-watch';

const at = (ms: number): string => new Date(ms).toISOString();

test('a first attempt created after the watch began is covered; anything else is read', () => {
  const w = new CancelWatch(10, 5_000);
  const task = { attempt: 1, createdAt: at(100_000) };
  expect(w.covers(task, false)).toBe(false); // not watching yet
  w.began(90_000);
  expect(w.covers(task, false)).toBe(true);
  expect(w.covers(task, true)).toBe(false); // redelivered
  expect(w.covers({ ...task, attempt: 2 }, false)).toBe(false); // a retry
  expect(w.covers({ ...task, runAt: at(200_000) }, false)).toBe(false); // scheduled: could wait for days
  expect(w.covers({ attempt: 1, createdAt: at(94_000) }, false)).toBe(false); // within the clock margin
  expect(w.covers({ attempt: 1, createdAt: 'not a date' }, false)).toBe(false);
  w.lost();
  expect(w.covers(task, false)).toBe(false);
});

test('cancel requests are remembered, up to a bound', () => {
  const w = new CancelWatch(3);
  for (const id of ['a', 'b', 'c']) w.remember(id);
  expect(w.wasCancelled('b')).toBe(true);
  w.remember('d');
  expect(w.wasCancelled('d')).toBe(true);
  expect(w.wasCancelled('a')).toBe(false);
});
