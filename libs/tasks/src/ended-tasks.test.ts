import { ENDED_DOC_MS, ENDED_DOCS_LIMIT, EndedTasks } from './ended-tasks';

test('an ended bucket is one whose last read found every task ended; a read finding an open task forgets it', () => {
  const memory = new EndedTasks();
  expect(memory.bucketEnded('k')).toBe(false);
  memory.noteBucket('k', true);
  expect(memory.bucketEnded('k')).toBe(true);
  memory.noteBucket('k', false);
  expect(memory.bucketEnded('k')).toBe(false);
  memory.noteEnded(['a', 'b']);
  expect([memory.isEnded('a'), memory.isEnded('b'), memory.isEnded('c')]).toEqual([true, true, false]);
});

test('a kept document is given for its projection only, and not after ENDED_DOC_MS', () => {
  let now = 1_000;
  const memory = new EndedTasks(() => now);
  memory.keepDoc({ _id: 'a' }, '{}');
  expect(memory.doc('a', '{}')).toEqual({ _id: 'a' });
  expect(memory.doc('a', '{"logs":0}')).toBeUndefined();
  now += ENDED_DOC_MS - 1;
  expect(memory.doc('a', '{}')).toEqual({ _id: 'a' });
  now += 1;
  expect(memory.doc('a', '{}')).toBeUndefined();
});

test('the kept documents are bounded: a full memory is forgotten at once', () => {
  const memory = new EndedTasks();
  for (let i = 0; i < ENDED_DOCS_LIMIT; i++) memory.keepDoc({ _id: `t${i}` }, '{}');
  expect(memory.doc('t0', '{}')).toBeDefined();
  memory.keepDoc({ _id: 'one-more' }, '{}');
  expect(memory.doc('t0', '{}')).toBeUndefined();
  expect(memory.doc('one-more', '{}')).toEqual({ _id: 'one-more' });
});
