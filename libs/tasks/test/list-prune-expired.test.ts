import { ListMarks, TaskList, emptyPageStats, listKeys, pruneTreeMarks, statusPath, type PageStats } from '../src';
import { listDatabase, type FixtureTask } from './list-fixtures';

// A succeeded task with artifacts expires after its type's retention and leaves the succeeded lists. Their
// marks go with it (once no task holds them), so the succeeded list of an owner whose older tasks all
// expired is read in a few round trips, not by walking the expired history's nodes.
const newest = Date.now() - 3600_000;
const task = (i: number, at: number, owner = 'owner-e'): FixtureTask => ({ _id: `t-${String(i).padStart(4, '0')}`, owner, type: 'report', status: 'succeeded', createdAt: new Date(at) });
// 60 tasks 10 minutes apart (10 hours) that will expire, then 10 a minute apart that stay succeeded; and
// two tasks of one second, one of which expires.
const expiring = Array.from({ length: 60 }, (_, i) => task(i, newest - 20 * 60_000 - i * 600_000));
const staying = Array.from({ length: 10 }, (_, i) => task(1000 + i, newest - i * 60_000));
const pair = [task(2000, newest - 40 * 86_400_000, 'owner-p'), task(2001, newest - 40 * 86_400_000, 'owner-p')];
const db = listDatabase('list-prune-expired', [...expiring, ...staying, ...pair]);

/** The status service's fold of `artifacts-expired`: the task's keys of its new status (then the prune timer fires). */
async function expire(t: FixtureTask): Promise<void> {
  const moved = { ...t, status: 'expired' as const };
  await new ListMarks(db.models.ListMark).ensureForStatus(moved);
  await db.models.Task.collection.updateOne({ _id: t._id } as never, { $set: { status: 'expired', lk: listKeys(moved) } });
}

/** A page read by a new reader (a gateway keeps settled nodes it read for KEPT_NODE_MS: pruned ones cost it an empty read meanwhile). */
async function succeededPage(owner?: string): Promise<{ ids: string[]; more: boolean; stats: PageStats }> {
  const stats = emptyPageStats();
  const page = await new TaskList(db.models.Task, db.models.ListMark, 10_000).page<FixtureTask>({ owner, status: 'succeeded', limit: 20 }, stats);
  return { ids: page.items.map((t) => t._id), more: page.more, stats };
}

test('an expired history is pruned from the succeeded lists: their first page reads the few marks left', async () => {
  for (const t of expiring) await expire(t);
  const before = await succeededPage('owner-e');
  expect(before.ids).toEqual(staying.map((t) => t._id));
  expect(before.stats.markReads).toBeGreaterThan(expiring.length); // every expired minute's node is walked
  const outcomes = new Set<string>();
  for (const t of expiring) outcomes.add(await pruneTreeMarks(db.models.Task, db.models.ListMark, t, 10_000));
  expect([...outcomes]).toEqual(['pruned']);
  // Every owner's list also holds owner-p's two tasks, 40 days back: their path is read, not the expired one.
  for (const [owner, want] of [['owner-e', staying], [undefined, [...staying, pair[1], pair[0]]]] as const) {
    const after = await succeededPage(owner);
    expect(after.ids).toEqual(want.map((t) => t._id));
    expect(after.more).toBe(false);
    expect(after.stats.markReads).toBeLessThan(expiring.length / 2);
    expect(after.stats.bucketReads).toBeLessThanOrEqual(want.length);
  }
  expect((await db.list.page<FixtureTask>({ owner: 'owner-e', status: 'expired', limit: 500 })).items).toHaveLength(expiring.length);
});

test('a second still holding a succeeded task keeps its marks', async () => {
  await expire(pair[0]);
  expect(await pruneTreeMarks(db.models.Task, db.models.ListMark, pair[0], 10_000)).toBe('kept');
  expect((await succeededPage('owner-p')).ids).toEqual([pair[1]._id]);
});

test('a late entry stores the pruned path again past the cache of a process that stored it before', async () => {
  const [t] = expiring;
  const marks = new ListMarks(db.models.ListMark);
  await marks.ensureForStatus(t); // this process knows the marks of t's second and nodes from here on
  for (const id of statusPath(t).flat().map((m) => m._id)) expect(await db.models.ListMark.exists({ _id: id })).not.toBeNull();
  expect(await pruneTreeMarks(db.models.Task, db.models.ListMark, t, 10_000)).toBe('pruned');
  // Another task of that owner and second succeeds now (long after): its entry is late.
  const late = { ...t, _id: 't-late' };
  await marks.ensureForStatus(late);
  await db.models.Task.collection.insertOne({ ...late, title: 't', params: {}, progress: 100, attempt: 1, maxAttempts: 1, artifacts: [], logs: [], lk: listKeys(late) } as never);
  // Read past the journal's window (10 minutes on): only the stored tree can show it.
  const page = await new TaskList(db.models.Task, db.models.ListMark, 10_000, () => Date.now() + 600_000).page<FixtureTask>({ owner: 'owner-e', status: 'succeeded', limit: 20 });
  expect(page.items.map((x) => x._id)).toEqual([...staying.map((x) => x._id), 't-late']);
});
