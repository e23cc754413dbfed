import { nextWidth } from './task-list';

test('a page of 20 from a sparse history (a task a second) takes two rounds of bucket reads, a dense one a bucket at a time', () => {
  // Sparse: the first bucket held 1 task, so the 20 still wanted are 16 buckets (the window's cap) away.
  expect(nextWidth(21, 0, 0)).toBe(1);
  expect(nextWidth(20, 1, 1)).toBe(16);
  expect(nextWidth(4, 17, 17)).toBe(4);
  // Dense: 300 tasks in the first bucket; more are wanted only when a filter kept few of them.
  expect(nextWidth(1, 1, 300)).toBe(1);
  // Nothing kept so far (a filter checked in code): the widest window.
  expect(nextWidth(21, 3, 0)).toBe(16);
});
