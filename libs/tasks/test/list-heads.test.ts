import { HeadPruner, ListMarks, TaskList, emptyPageStats, headOf, readHeadEntries, type ListFilter, type PageStats } from '../src';
import { everyPage, fixtureTasks, listDatabase, listedOrder, storeTasks, type FixtureTask } from './list-fixtures';

// A list's head (list-heads.ts) makes a cold first page a fixed number of round trips, however sparse the
// list: the head's read (beside the journal's), then the buckets it names. Tasks listed after the
// database's heads started (its `list-heads-since`): here a day ahead of the clock.
const newest = Date.now() + 86_400_000;
// 600 tasks, two a second, two minutes apart (10 hours); owner-2's failed tasks are one every 6 minutes.
const tasks: FixtureTask[] = fixtureTasks(600, newest, 2 * 60_000);
const db = listDatabase('list-heads', tasks, { heads: true });
const clock = newest + 86_400_000; // a day later: every node is settled
const reader = (): TaskList => new TaskList(db.models.Task, db.models.ListMark, 10_000, () => clock);

async function cold(f: ListFilter): Promise<{ ids: string[]; stats: PageStats }> {
  const stats = emptyPageStats();
  const page = await reader().page<FixtureTask>({ ...f, limit: 20 }, stats);
  return { ids: page.items.map((t) => t._id), stats };
}

const LISTS: [string, ListFilter][] = [
  ["an owner's failed tasks (sparse)", { owner: 'owner-2', status: 'failed' }],
  ['every owner', {}],
  ["an owner's", { owner: 'owner-0' }],
  ['every owner by type', { type: 'report' }],
  ['every owner by tag', { tag: 'tag|1' }],
];

test.each(LISTS)('%s: a cold first page is the head and one round of buckets', async (_what, filter) => {
  const page = await cold(filter);
  expect(page.ids).toEqual(listedOrder(tasks, filter).slice(0, 20));
  expect(page.stats.rounds).toBeLessThanOrEqual(2);
  expect(page.stats.markReads).toBeLessThanOrEqual(3); // the head and the journal's last minutes
  expect(page.stats.bucketReads).toBeLessThanOrEqual(21);
});

test('a pruned head keeps its newest seconds above a cut; pages across the cut go on through the tree', async () => {
  const scope = '*';
  const pruner = new HeadPruner(db.models.ListMark, { keep: 40, pruneEvery: 1000, limit: 1000, timeoutMs: 10_000 });
  const outcome = await pruner.prune(scope);
  expect(outcome).toMatchObject({ decision: 'cut' });
  const head = headOf(await readHeadEntries(db.models.ListMark, scope, 10_000), 0);
  expect(head.seconds.filter((s) => s >= head.from)).toHaveLength(40);
  expect(head.seconds.filter((s) => s < head.from)).toEqual([]); // the rest left the head (their marks stay in the tree)
  expect((await pruner.prune(scope)).decision).toBe('within-bounds');
  const first = await cold({});
  expect(first.ids).toEqual(listedOrder(tasks, {}).slice(0, 20));
  expect(first.stats.rounds).toBeLessThanOrEqual(2);
  const all = await everyPage(reader(), {}, 30);
  expect(all.ids).toEqual(listedOrder(tasks, {}));
});

test('every page of a sparse list is the whole history in order', async () => {
  const filter = { owner: 'owner-2', status: 'failed' };
  expect((await everyPage(reader(), filter, 7)).ids).toEqual(listedOrder(tasks, filter));
});

test('a deep page below the head skips its read once the reader knows where the head starts, and finds the same tasks', async () => {
  await new HeadPruner(db.models.ListMark, { keep: 40, pruneEvery: 1000, limit: 1000, timeoutMs: 10_000 }).prune('*');
  const order = listedOrder(tasks, {});
  const at = tasks.find((t) => t._id === order[200])!;
  const after = { createdAt: at.createdAt, id: at._id };
  const list = reader();
  const pages: PageStats[] = [];
  for (let i = 0; i < 3; i++) {
    const stats = emptyPageStats();
    const page = await list.page<FixtureTask>({ limit: 20, after }, stats);
    expect(page.items.map((t) => t._id)).toEqual(order.slice(201, 221));
    pages.push(stats);
  }
  // Warm (the tree's settled nodes kept): the journal's minutes and the tree's first reads, 4; the head's read
  // (5 with it) only on the first page, which learnt where the head starts.
  expect(pages[1].markReads).toBe(pages[2].markReads);
  expect(pages[1].markReads).toBeLessThanOrEqual(4);
});

test('a pruned head is a few pages long: a first page of 20 reads at most 63 of its marks, whatever the list holds', async () => {
  // 400 seconds of one owner's tasks, one a second, each written as the gateway writes it (its marks, head
  // included, then the task). Every first page reads the whole head (FerretDB ~75 us a mark): a head kept at
  // 128-320 marks (129 here after a prune, before) made the first pages of a large database cost twice those
  // of an empty one, whose short lists hold fewer.
  const mine: FixtureTask[] = Array.from({ length: 400 }, (_, i) => ({
    _id: `headed-${String(i).padStart(4, '0')}`,
    owner: 'owner-h',
    type: 'report',
    status: 'succeeded',
    createdAt: new Date(newest - 3_600_000 - i * 1000),
  }));
  const marks = new ListMarks(db.models.ListMark);
  for (const t of mine) await marks.ensureFor(t, t.createdAt.getTime());
  await storeTasks(db.models, mine);
  // The writer's prunes run in the background, each over the head as it read it (writes go on meanwhile):
  // after them, the head as the next prune leaves it.
  await marks.headsPruned();
  await new HeadPruner(db.models.ListMark).prune('u.owner-h');
  const stats = emptyPageStats();
  const page = await reader().page<FixtureTask>({ owner: 'owner-h', limit: 20 }, stats);
  expect(page.items.map((t) => t._id)).toEqual(listedOrder(mine, { owner: 'owner-h' }).slice(0, 20));
  expect(stats.headMarks).toBeGreaterThan(20);
  expect(stats.headMarks).toBeLessThanOrEqual(3 * 21);
});
