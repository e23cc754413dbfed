import { ListMarks, TaskList, bucketHeld, listKeys, nodeId, outcomeDocument, pruneOpenMark, readTask, secondOf, type ListFilter, type TaskRecord } from '../src';
import { asRunAndOutcome, everyPage as everyPageOf, fixtureTasks, listDatabase, listedOrder, type FixtureTask } from './list-fixtures';

// Tasks whose end is stored as an outcome (task-outcome.ts): each ended task's document stands as it ran
// (`running`, in the running lists) and its end is a document of its own. The lists must read exactly as if
// each task were one document in its final state: an ended task under its final status only, never in the
// list it ran in, and with its end's fields.
const now = Date.UTC(2026, 10, 30, 9, 0, 0);
const tasks: FixtureTask[] = [...fixtureTasks(90, now, 7, 'dense'), ...fixtureTasks(150, now - 5000, 43_000_000 / 2)];

const db = listDatabase('task-list-outcomes', tasks, { ends: 'outcomes' });

const everyPage = (f: ListFilter, limit: number): Promise<{ ids: string[]; pages: number }> => everyPageOf(db.list, f, limit);

test.each<[string, ListFilter, number]>([
  ['an owner, every page', { owner: 'owner-1' }, 17],
  ['all owners (admin)', {}, 50],
  ['an owner by an ended status', { owner: 'owner-2', status: 'failed' }, 4],
  ['all owners by an ended status', { status: 'succeeded' }, 9],
  ['all owners by the open status the ended tasks ran in', { status: 'running' }, 7],
  ['an owner by the open status the ended tasks ran in', { owner: 'owner-2', status: 'running' }, 3],
  ['all owners by type', { type: 'report' }, 13],
  ['all owners by tag', { tag: 'tag|1' }, 5],
])('%s', async (_what, filter, limit) => {
  const want = listedOrder(tasks, filter);
  expect(want.length).toBeGreaterThan(limit);
  const { ids, pages } = await everyPage(filter, limit);
  expect(ids).toEqual(want);
  expect(pages).toBe(Math.ceil(want.length / limit));
});

test('a listed task and a task read by id carry their end', async () => {
  const ended = tasks.find((t) => t.status === 'cancelled' && !t.parentId)!;
  const page = await db.list.page<TaskRecord>({ owner: ended.owner, status: 'cancelled', limit: 500 });
  const listed = page.items.find((t) => t._id === ended._id)!;
  expect({ status: listed.status, finishedAt: listed.finishedAt }).toEqual({ status: 'cancelled', finishedAt: ended.createdAt });
  const read = await readTask<TaskRecord>(db.models.Task, ended._id, { status: 1, owner: 1 }, 10_000);
  // Only the fields asked for: the end's other fields (its list keys, its time) stay out of a projected read.
  expect(read).toEqual({ _id: ended._id, status: 'cancelled', owner: ended.owner });
});

test("an ended task's open-list bucket is not held; its mark is pruned, a running task's kept", async () => {
  const sparse = tasks.filter((t) => t._id.startsWith('task-') && !t.parentId);
  const ended = sparse.find((t) => t.status === 'succeeded')!;
  const running = sparse.find((t) => t.status === 'running')!;
  const { ran } = asRunAndOutcome(ended);
  const key = (t: FixtureTask): string => listKeys(t).find((k) => k.startsWith(`u.${t.owner}|s.running@`))!;
  expect(await bucketHeld(db.models.Task, key(ran), 10_000)).toBe(false);
  expect(await bucketHeld(db.models.Task, key(running), 10_000)).toBe(true);
  // Its ended list's bucket is held by the outcome alone (the task document does not name it).
  expect(await bucketHeld(db.models.Task, nodeId(`u.${ended.owner}|s.succeeded`, 0, secondOf(ended.createdAt)), 10_000)).toBe(true);
  expect(await pruneOpenMark(db.models.Task, db.models.ListMark, ran, 10_000)).toBe('pruned');
  expect(await pruneOpenMark(db.models.Task, db.models.ListMark, running, 10_000)).toBe('kept');
});

test('a task ended in its own document (before outcomes) whose end then changes is listed under the new status only', async () => {
  const t: FixtureTask = { _id: 'legacy-1', owner: 'owner-1', type: 'report', status: 'succeeded', createdAt: new Date(now - 3_600_000) };
  const expired = { ...t, status: 'expired' as const };
  await new ListMarks(db.models.ListMark).ensureAll([t, expired]);
  await db.models.Task.collection.insertOne({ ...t, title: t._id, params: {}, progress: 100, attempt: 1, maxAttempts: 1, artifacts: [], logs: [], queuedAt: t.createdAt, lk: listKeys(t) } as never);
  await db.models.Outcome.collection.insertOne(outcomeDocument(t, { $set: { status: 'expired', lk: listKeys(expired) } }) as never);
  // A reader of its own: the file's has kept the nodes it read (a history stored in bulk is not journalled).
  const fresh = new TaskList(db.models.Task, db.models.ListMark, 10_000);
  expect((await everyPageOf(fresh, { owner: 'owner-1', status: 'succeeded' }, 50)).ids).not.toContain(t._id);
  expect((await everyPageOf(fresh, { owner: 'owner-1', status: 'expired' }, 50)).ids).toEqual([t._id]);
  expect((await everyPageOf(fresh, { owner: 'owner-1' }, 50)).ids).toContain(t._id);
});
