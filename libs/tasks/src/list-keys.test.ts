import { eventMarks, listFamilies, listScopes, nodeId, secondOf, statusFamilies, type ListedFields } from './list-keys';

/** The distinct marks a history of tasks leaves: each task's at submit, then at each of its status changes. */
function marksLeft(tasks: ListedFields[], statuses: ListedFields['status'][]): number {
  const ids = new Set<string>();
  for (const t of tasks) {
    for (const m of eventMarks(listFamilies(t), secondOf(t.createdAt))) ids.add(m._id);
    for (const status of statuses) for (const m of eventMarks(statusFamilies({ ...t, status }), secondOf(t.createdAt))) ids.add(m._id);
  }
  return ids.size;
}

const minuteOf = (t: ListedFields): number => Math.floor(secondOf(t.createdAt) / 60);

test("a lone task's submit costs one mark for its second, naming the minute of each of its 8 lists, and one a family above", () => {
  const t: ListedFields = { owner: 'o', type: 'report', status: 'queued', tag: 'x', createdAt: new Date(Date.UTC(2026, 0, 1)) };
  expect(listScopes(t)).toHaveLength(8);
  const marks = eventMarks(listFamilies(t), secondOf(t.createdAt));
  const seconds = marks.filter((m) => m.n === secondOf(t.createdAt));
  expect(seconds).toHaveLength(1);
  expect(seconds[0].p).toEqual(listScopes(t).map((scope) => nodeId(scope, 1, minuteOf(t))));
  // Minute, hour, day and 64-day block: the owner's family and every owner's, one mark each.
  expect(marks).toHaveLength(1 + 2 * 4);
  expect(marks.filter((m) => m.n === minuteOf(t)).map((m) => m.p)).toEqual(listFamilies(t).map((family) => family.map((scope) => nodeId(scope, 2, Math.floor(secondOf(t.createdAt) / 3600)))));
});

test('a status change marks the second once for the new status lists of the owner and of every owner', () => {
  const t: ListedFields = { owner: 'o', type: 'report', status: 'failed', createdAt: new Date(Date.UTC(2026, 0, 1, 0, 0, 7)) };
  const second = eventMarks(statusFamilies(t), secondOf(t.createdAt)).filter((m) => m.n === secondOf(t.createdAt));
  expect(second).toEqual([{ _id: expect.any(String), n: secondOf(t.createdAt), p: [nodeId('u.o|s.failed', 1, minuteOf(t)), nodeId('*|s.failed', 1, minuteOf(t))] }]);
});

test('at a sparse rate a task leaves fewer than 6 marks through its life (submit, running, succeeded; one mark a list: 13.9)', () => {
  // 3,000 tasks 5 s apart (4 hours), 5 owners, 3 types, a tag on every fifth: the "sparse rate".
  const start = Date.UTC(2026, 0, 1);
  const tasks: ListedFields[] = Array.from({ length: 3000 }, (_, i) => ({
    owner: `owner-${i % 5}`,
    type: `type-${i % 3}`,
    status: 'queued',
    ...(i % 5 === 0 ? { tag: 'term' } : {}),
    createdAt: new Date(start + i * 5000),
  }));
  expect(marksLeft(tasks, ['running', 'succeeded']) / tasks.length).toBeLessThan(6);
});

test('a fan-out child is in no list and needs no mark', () => {
  const child: ListedFields = { owner: 'o', type: 'report', status: 'queued', createdAt: new Date(), parentId: 'p' };
  expect(eventMarks(listFamilies(child), secondOf(child.createdAt))).toEqual([]);
  expect(eventMarks(statusFamilies(child), secondOf(child.createdAt))).toEqual([]);
});
