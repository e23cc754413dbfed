import mongoose, { type Connection } from 'mongoose';
import { testServers, type TestServers } from '@taskyard/testing';
import {
  ListMarks,
  TaskList,
  ensureTaskIndexes,
  keysLeft,
  listKeys,
  outcomeDocument,
  taskModels,
  type ListFilter,
  type TaskModels,
  type TaskOutcomeRecord,
  type TaskRecord,
} from '../src';
import type { FixtureTask } from './list-fixtures';

// A reader remembers the ended tasks it has seen (ended-tasks.ts): an open list's bucket whose tasks had all
// ended is read again without its outcomes, and an ended task's document is not read again for a list of its
// end. The lists must stay exactly what the stored tasks and outcomes say: a task new to such a bucket is
// listed, a task that ended since leaves the queued list, an end that changes (expired) moves the task.
let servers: TestServers;
let conn: Connection;
let models: TaskModels;
/** The `find` commands the driver sent since the last reset: the collection, and whether by `_id`. */
const finds: { coll: string; byId: boolean }[] = [];
const count = (coll: string, byId: boolean): number => finds.filter((f) => f.coll === coll && f.byId === byId).length;

beforeAll(async () => {
  servers = await testServers('task-list-ended');
  conn = await mongoose.createConnection(servers.mongoUrl, { monitorCommands: true }).asPromise();
  conn.getClient().on('commandStarted', (e) => {
    if (e.commandName === 'find') finds.push({ coll: String(e.command.find), byId: '_id' in ((e.command.filter as object | undefined) ?? {}) });
  });
  models = taskModels(conn);
  await ensureTaskIndexes(models);
});

afterAll(async () => {
  await conn?.close();
  await servers?.cleanup();
});

// Recent seconds: an open list's mark older than STALE_OPEN_MARK_MS with no open task would be pruned by the
// reader's healer in the background, and settled tree nodes kept (task-list.ts) between this file's pages.
const second = Math.floor(Date.now() / 1000) * 1000 - 30_000;
const owner = 'owner-e';

function task(id: string, ms: number): FixtureTask {
  return { _id: id, owner, type: 'report', status: 'queued', createdAt: new Date(second + ms) };
}

/** Stores a task as the gateway does (its marks, then the document with its queued keys). */
async function submit(t: FixtureTask): Promise<void> {
  await new ListMarks(models.ListMark).ensureAll([t], { heads: false });
  await models.Task.collection.insertOne({ ...t, title: `title ${t._id}`, params: { n: t._id }, progress: 0, attempt: 0, maxAttempts: 1, artifacts: [], logs: [], queuedAt: t.createdAt, lk: listKeys(t) } as never);
}

/** Stores a task's end as the status service does: its outcome, the marks of the lists it enters first. */
async function end(t: FixtureTask, status: 'succeeded' | 'failed', fields: Record<string, unknown>): Promise<TaskOutcomeRecord> {
  const ended = { ...t, status };
  await new ListMarks(models.ListMark).ensureAll([ended], { heads: false });
  const outcome = outcomeDocument(t, { $set: { status, lk: listKeys(ended), ...fields } });
  await models.Outcome.collection.insertOne(outcome as never);
  return outcome;
}

const ids = async (list: TaskList, f: ListFilter): Promise<string[]> => (await list.page<TaskRecord>({ ...f, owner, limit: 50 })).items.map((t) => t._id);

test('a task that ended leaves the queued list at once, for a reader that saw it queued; a task new to an ended bucket is listed', async () => {
  const [a, b, c] = [task('q-a', 100), task('q-b', 200), task('q-c', 300)];
  await submit(a);
  await submit(b);
  const list = new TaskList(models.Task, models.ListMark, 10_000);
  expect(await ids(list, { status: 'queued' })).toEqual(['q-b', 'q-a']);
  await end(a, 'succeeded', { finishedAt: new Date(second + 1000) });
  expect(await ids(list, { status: 'queued' })).toEqual(['q-b']);
  await end(b, 'failed', { finishedAt: new Date(second + 1000) });
  expect(await ids(list, { status: 'queued' })).toEqual([]);
  // The bucket's tasks all ended when read: read again, it costs the tasks' read alone.
  finds.length = 0;
  expect(await ids(list, { status: 'queued' })).toEqual([]);
  expect(count('task_outcomes', false)).toBe(0);
  expect(count('tasks', false)).toBe(1);
  // A task stored in that second since is new to the reader: its outcome is looked for, and it is listed.
  await submit(c);
  expect(await ids(list, { status: 'queued' })).toEqual(['q-c']);
  await end(c, 'succeeded', { finishedAt: new Date(second + 2000) });
  expect(await ids(list, { status: 'queued' })).toEqual([]);
  expect(await ids(list, { status: 'succeeded' })).toEqual(['q-c', 'q-a']);
  expect(await ids(list, { status: 'failed' })).toEqual(['q-b']);
  expect(await ids(list, {})).toEqual(['q-c', 'q-b', 'q-a']);
});

test("an ended list's items carry the task's fields and its end's, read afresh and from the reader's memory; a changed end moves the task", async () => {
  const t = task('s-a', 5_000);
  await submit(t);
  const artifacts = [{ name: 'a.bin', key: 'artifacts/report/s-a/a.bin', size: 3, contentType: 'application/octet-stream' }];
  const outcome = await end(t, 'succeeded', { finishedAt: new Date(second + 6000), progress: 100, artifacts, durationMs: 900 });
  const list = new TaskList(models.Task, models.ListMark, 10_000);
  const want = { _id: 's-a', title: 'title s-a', params: { n: 's-a' }, status: 'succeeded', progress: 100, artifacts, durationMs: 900, finishedAt: new Date(second + 6000) };
  const read = async (): Promise<TaskRecord[]> => (await list.page<TaskRecord>({ owner, status: 'succeeded', limit: 50 })).items.filter((x) => x._id === 's-a');
  expect(await read()).toEqual([expect.objectContaining(want)]);
  finds.length = 0;
  expect(await read()).toEqual([expect.objectContaining(want)]);
  // The ended tasks' documents from memory: the buckets' reads (tasks and outcomes by key), no task by `_id`.
  expect(count('tasks', true)).toBe(0);
  expect(count('task_outcomes', false)).toBeGreaterThan(0);
  // succeeded -> expired, as the status service changes a stored end (outcome-writes.ts): its artifacts removed.
  const expired = { ...t, status: 'expired' as const };
  await new ListMarks(models.ListMark).ensureAll([expired], { heads: false });
  await models.Outcome.collection.updateOne({ _id: 's-a' } as never, { $set: { status: 'expired', lk: [...listKeys(expired), ...keysLeft(outcome)], u: ['artifacts'] }, $unset: { artifacts: '' } });
  expect(await read()).toEqual([]);
  const gone = await new TaskList(models.Task, models.ListMark, 10_000).page<TaskRecord>({ owner, status: 'expired', limit: 50 });
  expect(gone.items.map((x) => [x._id, x.status, x.title, x.artifacts])).toEqual([['s-a', 'expired', 'title s-a', undefined]]);
  // A deleted task (its document and its outcome) leaves every list of a reader that kept it.
  await models.Task.collection.deleteOne({ _id: 's-a' } as never);
  await models.Outcome.collection.deleteOne({ _id: 's-a' } as never);
  expect(await ids(list, { status: 'expired' })).toEqual([]);
});
