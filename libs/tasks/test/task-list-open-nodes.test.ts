import { JOURNAL_SECONDS, KEPT_NODE_MS, LEVEL_SECONDS, ListMarks, TaskList, emptyPageStats, listKeys, type ListFilter, type ListPosition, type PageStats } from '../src';
import { everyPage, listDatabase, listedOrder, type FixtureTask } from './list-fixtures';

// A deep page's cursor lies under nodes still open (the root, the 64-day block and the day holding now),
// whose children grow with the history: the block's are its days times the lists' families (76-101 marks at
// 1,000,000 tasks in bench/history). A reader keeps them for the part below their settled edge, so a warm deep
// page reads none of them, and a late entry there is still seen at once through the journal.
const BLOCK_SECONDS = LEVEL_SECONDS[4];
const DAY_MS = 86_400_000;
// 40 days into a 64-day block (before the database's heads started: no head is read), at noon.
const blockStart = Math.floor(Date.UTC(2026, 6, 1) / 1000 / BLOCK_SECONDS) * BLOCK_SECONDS * 1000;
const newest = blockStart + 40 * DAY_MS + DAY_MS / 2;
// owner-x: a succeeded task on every even day back from `newest` (36 days, all in the block), and a running
// one on each odd day (in no succeeded list yet: those days are no child of that list's block).
const tasks: FixtureTask[] = Array.from({ length: 36 }, (_, d) => ({
  _id: `open-${String(d).padStart(3, '0')}`,
  owner: 'owner-x',
  type: 'report',
  status: d % 2 === 0 ? 'succeeded' : 'running',
  createdAt: new Date(newest - d * DAY_MS - 3_600_000),
}));
const db = listDatabase('task-list-open-nodes', tasks);
const clock = newest + 10_000; // the block, the day, the hour holding now are open
const reader = (): TaskList => new TaskList(db.models.Task, db.models.ListMark, 10_000, () => clock);
const succeeded: ListFilter = { owner: 'owner-x', status: 'succeeded' };

/** How many journal minutes a page reads (task-list.ts: the last KEPT_NODE_MS and a margin, up to now + 5 s). */
function journalMinutes(): number {
  const now = Math.floor(clock / 1000);
  return Math.floor((now + 5) / JOURNAL_SECONDS) - Math.floor((now - KEPT_NODE_MS / 1000 - 20) / JOURNAL_SECONDS) + 1;
}

async function read(list: TaskList, after: ListPosition, f: ListFilter = succeeded): Promise<{ ids: string[]; stats: PageStats }> {
  const stats = emptyPageStats();
  const page = await list.page<FixtureTask>({ ...f, limit: 5, after }, stats);
  return { ids: page.items.map((t) => t._id), stats };
}

const positionOf = (id: string): ListPosition => ({ createdAt: tasks.find((t) => t._id === id)!.createdAt, id });

test('a warm deep page reads none of the open nodes on its way: only the journal', async () => {
  const order = listedOrder(tasks, succeeded);
  const list = reader();
  const after = positionOf(order[10]);
  const cold = await read(list, after);
  const warm = await read(list, after);
  expect(cold.ids).toEqual(order.slice(11, 16));
  expect(warm.ids).toEqual(cold.ids);
  // Cold: the root, the block and the day holding now, the nodes down to the cursor's minute, the journal.
  expect(cold.stats.markReads).toBeGreaterThan(journalMinutes() + 2);
  expect(warm.stats.markReads).toBe(journalMinutes());
  expect(warm.stats.rounds).toBe(1);
});

test('every page of the list, read twice by one reader, is the whole list in order', async () => {
  const list = reader();
  const order = listedOrder(tasks, succeeded);
  expect((await everyPage(list, succeeded, 4)).ids).toEqual(order);
  expect((await everyPage(list, succeeded, 4)).ids).toEqual(order);
  expect((await everyPage(list, { owner: 'owner-x' }, 7)).ids).toEqual(listedOrder(tasks, { owner: 'owner-x' }));
});

test('a late entry that adds a day to a kept open block is seen at once through the journal', async () => {
  const order = listedOrder(tasks, succeeded);
  const list = reader();
  const after = positionOf(order[5]);
  const before = await read(list, after);
  // The running task of a day between the page's tasks succeeds now: a day the list's block did not have.
  const late = tasks.find((t) => t.status === 'running' && t.createdAt < positionOf(before.ids[1]).createdAt && t.createdAt > positionOf(before.ids[2]).createdAt)!;
  const moved = { ...late, status: 'succeeded' as const };
  await new ListMarks(db.models.ListMark).ensureForStatus(moved, clock);
  await db.models.Task.collection.updateOne({ _id: late._id } as never, { $set: { status: 'succeeded', lk: listKeys(moved) } });
  const after2 = await read(list, after);
  expect(after2.ids).toEqual([before.ids[0], before.ids[1], late._id, before.ids[2], before.ids[3]]);
  expect(after2.stats.keptNodes).toBeGreaterThan(0); // the nodes the late entry did not touch stay kept
});
