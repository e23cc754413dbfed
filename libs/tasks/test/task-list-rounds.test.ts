import { KEPT_NODE_MS, ListMarks, TaskList, emptyPageStats, listKeys, type ListFilter, type ListPosition, type PageStats } from '../src';
import { fixtureTasks, listDatabase, type FixtureTask } from './list-fixtures';

// A page's round trips do not grow with the history: a reader keeps settled nodes' children and the sizes of
// their buckets, so a page read again (or the next page, whose nodes the previous one read) costs the first
// round (root, the last minutes' nodes, the journal) and one round of buckets, however deep and sparse.
const newest = Date.UTC(2026, 9, 1, 12, 0, 0);
// 600 tasks two minutes apart (10 hours); owner-2's failed tasks are one every 6 minutes: a sparse list.
const tasks: FixtureTask[] = fixtureTasks(600, newest, 2 * 60_000);
const db = listDatabase('task-list-rounds', tasks);
let clock = newest + 86_400_000; // a day later: every node is settled
const reader = (): TaskList => new TaskList(db.models.Task, db.models.ListMark, 10_000, () => clock);

const failedOf = (owner: string): FixtureTask[] =>
  tasks.filter((t) => t.owner === owner && t.status === 'failed' && !t.parentId).sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime() || (a._id < b._id ? 1 : -1));

async function read(list: TaskList, f: ListFilter & { after?: ListPosition }): Promise<{ ids: string[]; stats: PageStats }> {
  const stats = emptyPageStats();
  const page = await list.page<FixtureTask>({ ...f, limit: 20 }, stats);
  return { ids: page.items.map((t) => t._id), stats };
}

test.each<[string, ListFilter, (() => ListPosition) | undefined]>([
  ['a sparse first page', { owner: 'owner-2', status: 'failed' }, undefined],
  ['a sparse deep page', { owner: 'owner-2', status: 'failed' }, () => ({ createdAt: failedOf('owner-2')[50].createdAt, id: failedOf('owner-2')[50]._id })],
  ['every owner, first page', {}, undefined],
])('%s read again costs two round trips', async (_what, filter, at) => {
  const list = reader();
  const after = at?.();
  const cold = await read(list, { ...filter, after });
  const warm = await read(list, { ...filter, after });
  expect(warm.ids).toEqual(cold.ids);
  expect(cold.ids).toHaveLength(20);
  expect(cold.stats.rounds).toBeGreaterThan(3);
  expect(warm.stats.rounds).toBeLessThanOrEqual(2);
  expect(warm.stats.keptNodes).toBeGreaterThan(0);
});

test('the tasks of a settled bucket finished for good are kept; a bucket holding an unfinished task is read every time', async () => {
  const list = reader();
  await read(list, { owner: 'owner-2', status: 'failed' });
  const failed = await read(list, { owner: 'owner-2', status: 'failed' });
  expect(failed.stats).toMatchObject({ rounds: 1, bucketReads: 0, keptBuckets: 21 });
  // owner-2's tasks alternate failed and running: half the buckets of its own list hold a running task.
  await read(list, { owner: 'owner-2' });
  const all = await read(list, { owner: 'owner-2' });
  expect(all.stats.bucketReads).toBeGreaterThan(0);
  expect(all.stats.rounds).toBe(2);
});

test('the next page reuses the nodes the previous one read', async () => {
  const list = reader();
  const first = await read(list, { owner: 'owner-2', status: 'failed' });
  const last = failedOf('owner-2').find((t) => t._id === first.ids[19])!;
  const next = await read(list, { owner: 'owner-2', status: 'failed', after: { createdAt: last.createdAt, id: last._id } });
  expect(next.ids).toEqual(failedOf('owner-2').slice(20, 40).map((t) => t._id));
  expect(next.stats.rounds).toBeLessThan(first.stats.rounds);
});

test('a late entry into a kept node is seen at once through the journal; one stored in bulk once the node is no longer kept', async () => {
  const list = reader();
  const failed = failedOf('owner-2');
  const before = await read(list, { owner: 'owner-2', status: 'failed' });
  // Two running tasks of owner-2 among the first page's seconds (settled, kept by the reader), an hour or
  // more apart, fail now: the journalled one's nodes are read afresh, the other's stay kept.
  const running = tasks.filter((t) => t.owner === 'owner-2' && t.status === 'running' && !t.parentId && t.createdAt > failed[17].createdAt);
  const [late, bulk] = [running[0], running[running.length - 1]];
  expect(Math.floor(late.createdAt.getTime() / 3600_000)).toBeGreaterThan(Math.floor(bulk.createdAt.getTime() / 3600_000));
  const move = async (t: FixtureTask, journalled: boolean): Promise<void> => {
    const moved = { ...t, status: 'failed' as const };
    const marks = new ListMarks(db.models.ListMark);
    await (journalled ? marks.ensureForStatus(moved, clock) : marks.ensureAll([moved]));
    await db.models.Task.collection.updateOne({ _id: t._id } as never, { $set: { status: 'failed', lk: listKeys(moved) } });
  };
  await move(late, true);
  await move(bulk, false);
  const after = await read(list, { owner: 'owner-2', status: 'failed' });
  expect(after.stats.keptNodes).toBeGreaterThan(0);
  expect(after.ids).toContain(late._id);
  expect(after.ids).not.toContain(bulk._id); // not journalled: the kept nodes do not show it yet
  expect(after.ids.filter((id) => id !== late._id)).toEqual(before.ids.slice(0, 19));
  clock += KEPT_NODE_MS;
  const later = await read(list, { owner: 'owner-2', status: 'failed' });
  expect(later.ids).toContain(late._id);
  expect(later.ids).toContain(bulk._id);
});
