import { headNodeId, listScopes, nodeId, openMark, rootId, secondOf, statusMarks, submitMarks, type ListedFields, type ListMarkRecord } from './list-keys';

/** The distinct marks a history of tasks writes: each task's at submit, then at each of its status changes. */
function marksWritten(tasks: ListedFields[], statuses: ListedFields['status'][]): ListMarkRecord[] {
  const byId = new Map<string, ListMarkRecord>();
  for (const t of tasks) {
    for (const m of submitMarks(t)) byId.set(m._id, m);
    for (const status of statuses) for (const m of statusMarks({ ...t, status })) byId.set(m._id, m);
  }
  return [...byId.values()];
}

const minuteOf = (t: ListedFields): number => Math.floor(secondOf(t.createdAt) / 60);
const hourOf = (t: ListedFields): number => Math.floor(secondOf(t.createdAt) / 3600);

test("a lone task's submit: one mark for its second naming the minute of its 6 lists not by status, one a family above, and its second under the open status lists' roots", () => {
  const t: ListedFields = { owner: 'o', type: 'report', status: 'queued', tag: 'x', createdAt: new Date(Date.UTC(2026, 0, 1)) };
  expect(listScopes(t)).toHaveLength(8);
  const marks = submitMarks(t);
  const seconds = marks.filter((m) => m.n === secondOf(t.createdAt));
  const lists = ['u.o', 'u.o|t.report', 'u.o|g.x', '*', '*|t.report', '*|g.x'];
  // The same mark is the second's entry in each list's head (list-heads.ts): no document more.
  expect(seconds.map((m) => m.p)).toEqual([[...lists.map((scope) => nodeId(scope, 1, minuteOf(t))), ...lists.map(headNodeId)], [rootId('u.o|s.queued'), rootId('*|s.queued')]]);
  // Minute, hour, day and 64-day block: the owner's family and every owner's, one mark each.
  expect(marks).toHaveLength(2 + 2 * 4);
  expect(marks.filter((m) => m.n === minuteOf(t)).map((m) => m.p)).toEqual([
    ['u.o', 'u.o|t.report', 'u.o|g.x'].map((scope) => nodeId(scope, 2, hourOf(t))),
    ['*', '*|t.report', '*|g.x'].map((scope) => nodeId(scope, 2, hourOf(t))),
  ]);
});

test('a finished status is marked in the tree, once for the second of both its lists; an open one only under their roots', () => {
  const t: ListedFields = { owner: 'o', type: 'report', status: 'failed', createdAt: new Date(Date.UTC(2026, 0, 1, 0, 0, 7)) };
  const second = statusMarks(t).filter((m) => m.n === secondOf(t.createdAt));
  expect(second).toEqual([{ _id: expect.any(String), n: secondOf(t.createdAt), p: [nodeId('u.o|s.failed', 1, minuteOf(t)), nodeId('*|s.failed', 1, minuteOf(t)), headNodeId('u.o|s.failed'), headNodeId('*|s.failed')] }]);
  expect(statusMarks(t)).toHaveLength(1 + 2 * 4);
  const running = { ...t, status: 'running' as const };
  expect(statusMarks(running)).toEqual([openMark(running)]);
  expect(openMark(running)!.p).toEqual([rootId('u.o|s.running'), rootId('*|s.running')]);
});

test('at a sparse rate a task writes fewer than 6.5 marks through its life and keeps fewer than 4.5 once its open marks are pruned (one mark a list: 13.9)', () => {
  // 3,000 tasks 5 s apart (4 hours), 5 owners, 3 types, a tag on every fifth: the "sparse rate".
  const start = Date.UTC(2026, 0, 1);
  const tasks: ListedFields[] = Array.from({ length: 3000 }, (_, i) => ({
    owner: `owner-${i % 5}`,
    type: `type-${i % 3}`,
    status: 'queued',
    ...(i % 5 === 0 ? { tag: 'term' } : {}),
    createdAt: new Date(start + i * 5000),
  }));
  const written = marksWritten(tasks, ['running', 'succeeded']);
  const open = new Set(tasks.flatMap((t) => ['queued', 'running'].map((status) => openMark({ ...t, status: status as 'queued' })!._id)));
  expect(written.length / tasks.length).toBeLessThan(6.5);
  expect(written.filter((m) => !open.has(m._id)).length / tasks.length).toBeLessThan(4.5);
});

test('a fan-out child is in no list and needs no mark', () => {
  const child: ListedFields = { owner: 'o', type: 'report', status: 'queued', createdAt: new Date(), parentId: 'p' };
  expect(submitMarks(child)).toEqual([]);
  expect(statusMarks({ ...child, status: 'failed' })).toEqual([]);
  expect(openMark(child)).toBeUndefined();
});
