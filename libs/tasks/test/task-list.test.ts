import { ListMarks, listKeys, type ListFilter } from '../src';
import { everyPage as everyPageOf, fixtureTasks, listDatabase, listedOrder, type FixtureTask } from './list-fixtures';

// The list read by equality through its keys and marks gives exactly what sorting the whole history
// would: newest first (ties by id), each filter, page after page, across seconds, days and 64-day blocks.
const now = Date.UTC(2026, 10, 30, 9, 0, 0);
// 150 tasks 12 hours apart reach back about 75 days (two 64-day blocks); 90 more crowd into the last second.
const tasks: FixtureTask[] = [...fixtureTasks(90, now, 7, 'dense'), ...fixtureTasks(150, now - 5000, 43_000_000 / 2)];

const db = listDatabase('task-list', tasks);

const expected = (f: ListFilter): string[] => listedOrder(tasks, f);
const everyPage = (f: ListFilter, limit: number): Promise<{ ids: string[]; pages: number }> => everyPageOf(db.list, f, limit);

test.each<[string, ListFilter, number]>([
  ['an owner, every page', { owner: 'owner-1' }, 17],
  ['all owners (admin)', {}, 50],
  ['an owner by status', { owner: 'owner-2', status: 'failed' }, 4],
  ['all owners by type', { type: 'report' }, 13],
  ['all owners by tag (a tag with a separator in it)', { tag: 'tag|1' }, 5],
  ['an owner by type and status (status read, type checked)', { owner: 'owner-0', type: 'import', status: 'succeeded' }, 6],
])('%s', async (_what, filter, limit) => {
  const want = expected(filter);
  expect(want.length).toBeGreaterThan(limit);
  const { ids, pages } = await everyPage(filter, limit);
  expect(ids).toEqual(want);
  expect(pages).toBe(Math.ceil(want.length / limit));
});

test('a first page reads the newest tasks, not the whole history', async () => {
  const page = await db.list.page<FixtureTask>({ owner: 'owner-0', limit: 20 });
  expect(page.items.map((t) => t._id)).toEqual(expected({ owner: 'owner-0' }).slice(0, 20));
  expect(page.more).toBe(true);
});

test('an unknown owner or a filter nothing matches lists nothing', async () => {
  expect(await db.list.page({ owner: 'nobody', limit: 20 })).toEqual({ items: [], more: false });
  expect(await db.list.page({ status: 'expired', limit: 20 })).toEqual({ items: [], more: false });
});

test('a task whose status changed is listed under its new status only, once its keys and marks are rewritten', async () => {
  const t = tasks.find((x) => x.status === 'queued' && x.owner === 'owner-1' && !x.parentId)!;
  const moved = { ...t, status: 'failed' as const };
  await new ListMarks(db.models.ListMark).ensureForStatus(moved);
  await db.models.Task.collection.updateOne({ _id: t._id } as never, { $set: { status: 'failed', lk: listKeys(moved) } });
  const failed = await everyPage({ owner: 'owner-1', status: 'failed' }, 50);
  const queued = await everyPage({ owner: 'owner-1', status: 'queued' }, 50);
  expect(failed.ids).toContain(t._id);
  expect(queued.ids).not.toContain(t._id);
});
