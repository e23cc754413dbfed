import { ListMarks, listKeys, openMark, pruneOpenMark, rootId } from '../src';
import { fixtureTasks, listDatabase, type FixtureTask } from './list-fixtures';

// An open status's list (queued, running...) reads the seconds under its root; a second's mark goes once
// the owner's tasks of that second have left the status, so the list's cost follows what is open now.
const now = Date.UTC(2026, 10, 30, 9, 0, 0);
// 240 tasks two minutes apart, every sixth queued (fixtureTasks' status cycle).
const tasks: FixtureTask[] = fixtureTasks(240, now, 60_000 * 4, 'open');
const queued = tasks.filter((t) => t.status === 'queued' && !t.parentId);

const db = listDatabase('list-prune', tasks);

/** The status service's move of a task to a new status: marks of the new lists, then its keys. */
async function move(t: FixtureTask, status: FixtureTask['status']): Promise<void> {
  await new ListMarks(db.models.ListMark).ensureForStatus({ ...t, status });
  await db.models.Task.collection.updateOne({ _id: t._id } as never, { $set: { status, lk: listKeys({ ...t, status }) } });
}

const rootChildren = (owner?: string): Promise<number> =>
  db.models.ListMark.countDocuments({ p: rootId(owner ? `u.${owner}|s.queued` : '*|s.queued') });

test('a second whose only queued task left is pruned from both queued lists; the list still shows every task queued', async () => {
  const [gone, stays] = queued;
  expect(await pruneOpenMark(db.models.Task, db.models.ListMark, gone, 10_000)).toBe('kept');
  const before = await rootChildren();
  await move(gone, 'running');
  expect(await pruneOpenMark(db.models.Task, db.models.ListMark, gone, 10_000)).toBe('pruned');
  expect(await db.models.ListMark.exists({ _id: openMark(gone)!._id })).toBeNull();
  expect(await rootChildren()).toBe(before - 1);
  const page = await db.list.page<FixtureTask>({ status: 'queued', limit: 500 });
  expect(page.items.map((t) => t._id)).toEqual(queued.slice(1).map((t) => t._id));
  expect(page.items.map((t) => t._id)).toContain(stays._id);
});

test('after every queued task left, the queued lists have no child left to walk, and a task queued again is listed', async () => {
  for (const t of queued.slice(1)) await move(t, 'succeeded');
  for (const t of queued.slice(1)) expect(await pruneOpenMark(db.models.Task, db.models.ListMark, t, 10_000)).toBe('pruned');
  expect(await rootChildren()).toBe(0);
  expect(await rootChildren(queued[1].owner)).toBe(0);
  expect(await db.list.page({ status: 'queued', limit: 20 })).toEqual({ items: [], more: false });
  // A retry puts a task back in queued: its mark is stored again, under the root.
  await move(queued[3], 'queued');
  expect((await db.list.page<FixtureTask>({ owner: queued[3].owner, status: 'queued', limit: 20 })).items.map((t) => t._id)).toEqual([queued[3]._id]);
});

test('a late entry into an open list stores its mark again after the write (past the cache), so a pruning cannot leave it unlisted', async () => {
  const t = queued[5];
  const marks = new ListMarks(db.models.ListMark);
  await marks.ensureForStatus({ ...t, status: 'running' }); // cached from here on
  await db.models.ListMark.deleteOne({ _id: openMark({ ...t, status: 'running' })!._id }); // a pruning that raced it
  await db.models.Task.collection.updateOne({ _id: t._id } as never, { $set: { status: 'running', lk: listKeys({ ...t, status: 'running' }) } });
  await marks.reassertOpen({ ...t, status: 'running' });
  expect((await db.list.page<FixtureTask>({ status: 'running', limit: 500 })).items.map((x) => x._id)).toContain(t._id);
});
