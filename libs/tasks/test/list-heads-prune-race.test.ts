import { HeadPruner, TaskList, emptyPageStats, headNodeId, headOf, pickScope, readHeadEntries, type ListFilter } from '../src';
import { everyPage, fixtureTasks, listDatabase, listedOrder, type FixtureTask } from './list-fixtures';

// Two gateways pruning the heads of different lists pull them from the same seconds' marks at once (a second's
// mark names the head of each of its lists), and FerretDB loses one of two concurrent updates of a document:
// a pull lost leaves its entry in the head, below the cut its pruner stored first. Decided here on the real
// database: readers ignore such an entry (they trust a head only from its newest cut), and the head does not
// grow with them, since the next prune of that list takes out every entry below its cut again.
const newest = Date.now() + 86_400_000;
const tasks: FixtureTask[] = fixtureTasks(600, newest, 2 * 60_000);
const db = listDatabase('list-heads-race', tasks, { heads: true });
const clock = newest + 86_400_000;
const reader = (): TaskList => new TaskList(db.models.Task, db.models.ListMark, 10_000, () => clock);
const PRUNE = { keep: 40, pruneEvery: 1000, limit: 1000, timeoutMs: 10_000 };
// Lists whose seconds share marks: every owner's, by type, one owner's.
const LISTS: ListFilter[] = [{}, { type: 'report' }, { owner: 'owner-0' }];

async function head(scope: string): Promise<{ kept: number; left: number }> {
  const h = headOf(await readHeadEntries(db.models.ListMark, scope, 10_000), 0);
  return { kept: h.seconds.filter((s) => s >= h.from).length, left: h.seconds.filter((s) => s < h.from).length };
}

/** Every page of each list, first and walked, is its tasks in order. */
async function pagesRight(): Promise<void> {
  for (const f of LISTS) {
    const page = await reader().page<FixtureTask>({ ...f, limit: 20 }, emptyPageStats());
    expect(page.items.map((t) => t._id)).toEqual(listedOrder(tasks, f).slice(0, 20));
    expect((await everyPage(reader(), f, 30)).ids).toEqual(listedOrder(tasks, f));
  }
}

test('heads of lists sharing marks pruned side by side by two processes: each keeps its newest seconds, every page stays right', async () => {
  const scopes = LISTS.map((f) => pickScope(f).scope);
  const gateways = [new HeadPruner(db.models.ListMark, PRUNE), new HeadPruner(db.models.ListMark, PRUNE)];
  const outcomes = await Promise.all(scopes.map((scope, i) => gateways[i % 2].prune(scope)));
  for (const o of outcomes) expect(o).toMatchObject({ decision: 'cut' });
  for (const scope of scopes) expect((await head(scope)).kept).toBe(PRUNE.keep);
  await pagesRight();
}, 120_000);

test('what lost pulls leave (the head back in 10 marks below its cut) is ignored by every page and taken out by the next prune', async () => {
  const scope = pickScope({}).scope;
  const h = headOf(await readHeadEntries(db.models.ListMark, scope, 10_000), 0);
  // Seconds' marks of this list below its cut (a test's scan of a small collection): they name other lists' heads too.
  const marks = await db.models.ListMark.find({ n: { $lt: h.from } }, { _id: 1, p: 1, n: 1 }).lean().exec();
  const ofThisList = (id: string): boolean => id.includes('@0:') && id.slice(0, id.indexOf('@0:')).split('+').includes(scope);
  const seconds = new Map(marks.filter((m) => Array.isArray(m.p) && ofThisList(m._id)).map((m) => [m.n, m]));
  // 10: a head read of more than HEAD_MAX marks (the kept seconds have ~80) would have the readers prune it themselves.
  const below = [...seconds.values()].slice(0, 10);
  expect(below).toHaveLength(10);
  for (const m of below) await db.models.ListMark.updateOne({ _id: m._id }, { $addToSet: { p: headNodeId(scope) } });
  await expect(head(scope)).resolves.toEqual({ kept: PRUNE.keep, left: 10 });
  await pagesRight();

  expect(await new HeadPruner(db.models.ListMark, PRUNE).prune(scope)).toMatchObject({ decision: 'cut', removed: 10 });
  await expect(head(scope)).resolves.toEqual({ kept: PRUNE.keep, left: 0 });
  await pagesRight();
}, 120_000);
