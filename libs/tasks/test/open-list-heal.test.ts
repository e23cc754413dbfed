import { ListMarks, TaskList, emptyPageStats, openMark, type ListFilter } from '../src';
import { fixtureTasks, listDatabase, storeTasks, type FixtureTask } from './list-fixtures';

// An open list (queued, running, ...) is read from its root's marks, one per second holding an open task; a
// timer prunes a second's mark once its tasks left (list-prune.ts). A mark whose timer was lost (its broker
// vhost or process gone: every bench/history run left some behind in its kept database, 86 seconds under the
// admin's queued root at 1,000,000 tasks), or stored for a task whose insert then failed, holds no task but
// cost every first page of that list a bucket read, for ever. A page now hands such marks, once older than
// STALE_OPEN_MARK_MS, to a pruning in the background.
const now = Date.UTC(2026, 10, 30, 9, 0, 0);
const clock = { now };
const tasks = fixtureTasks(60, now - 3_600_000, 20_000, 'heal').map((t) => ({ ...t, status: 'queued' as const }));
/** Marks of the queued lists with no task: 30 old seconds, and 5 recent ones (their timers may still come). */
const leftOld = fixtureTasks(30, now - 600_000, 3_000, 'gone-old').map((t) => ({ ...t, status: 'queued' as const }));
const leftRecent = fixtureTasks(5, now - 10_000, 1_000, 'gone-new').map((t) => ({ ...t, status: 'queued' as const }));
const db = listDatabase('open-list-heal', tasks);

beforeAll(async () => {
  const marks = new ListMarks(db.models.ListMark);
  await marks.ensureAll([...leftOld, ...leftRecent] as FixtureTask[]);
});

const reader = (): TaskList => new TaskList(db.models.Task, db.models.ListMark, 10_000, () => clock.now);

test.each<[string, ListFilter]>([
  ['an owner', { owner: 'owner-1', status: 'queued' }],
  ['every owner', { status: 'queued' }],
])("a queued page of %s prunes the old marks no task holds, keeps the recent ones and every task's", async (_who, filter) => {
  const first = reader();
  const before = emptyPageStats();
  const page = await first.page({ ...filter, limit: 100 }, before);
  await first.healer.idle();
  const after = emptyPageStats();
  const again = await reader().page({ ...filter, limit: 100 }, after);
  const owned = (list: FixtureTask[]): FixtureTask[] => list.filter((t) => !t.parentId && (filter.owner === undefined || t.owner === filter.owner));
  const real = new Set(owned(tasks).map((t) => Math.floor(t.createdAt.getTime() / 1000))).size;
  const recent = new Set(owned(leftRecent).map((t) => Math.floor(t.createdAt.getTime() / 1000))).size;
  expect(again.items.map((t) => t._id)).toEqual(page.items.map((t) => t._id));
  expect(page.items.length).toBe(owned(tasks).length);
  expect(before.bucketReads).toBeGreaterThan(real + recent + 5);
  expect(after.bucketReads).toBe(real + recent);
});

test('a mark whose task came meanwhile is put back (decided as the timers decide)', async () => {
  const late = { ...leftOld[3], _id: 'came-late', createdAt: new Date(now - 900_000), status: 'queued' as const };
  const mark = openMark(late)!;
  await db.models.ListMark.collection.insertOne({ ...mark } as never);
  await storeTasks(db.models, [late]);
  expect(await reader().healer.heal(mark)).toBe('kept');
  expect(await db.models.ListMark.exists({ _id: mark._id })).not.toBeNull();
});
