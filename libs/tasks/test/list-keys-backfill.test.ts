import mongoose, { type Connection } from 'mongoose';
import { isTerminal } from '@taskyard/contracts';
import { testServers, type TestServers } from '@taskyard/testing';
import { TaskList, backfillListKeys, emptyPageStats, ensureTaskIndexes, taskModels, type TaskModels } from '../src';
import { fixtureTasks, type FixtureTask } from './list-fixtures';

// Tasks stored before list keys existed have no `lk` and no marks: the backfill gives the finished ones
// both (the status service writes an unfinished one's at its next status change), in batches, and a
// second run finds nothing left to do.
let servers: TestServers;
let conn: Connection;
let models: TaskModels;
const now = Date.UTC(2026, 10, 30, 9, 0, 0);
const legacy: FixtureTask[] = fixtureTasks(60, now, 90_000, 'legacy').filter((t) => !t.parentId);
const newestFirst = (ts: FixtureTask[]): string[] => [...ts].sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime() || (a._id < b._id ? 1 : -1)).map((t) => t._id);

beforeAll(async () => {
  servers = await testServers('list-keys-backfill');
  conn = await mongoose.createConnection(servers.mongoUrl, { serverSelectionTimeoutMS: 10_000 }).asPromise();
  models = taskModels(conn);
  await ensureTaskIndexes(models);
  await models.Task.collection.insertMany(legacy.map((t) => ({ ...t, title: t._id, params: {}, queuedAt: t.createdAt })) as never[]);
});
afterAll(async () => {
  await conn?.close();
  await servers?.cleanup();
});

test('finished legacy tasks get their keys and marks and are listed; unfinished ones are left to the status service; a rerun writes nothing', async () => {
  const list = new TaskList(models.Task, models.ListMark, 10_000);
  const owner = legacy[0].owner;
  expect((await list.page({ owner, limit: 100 })).items).toEqual([]);
  const finished = legacy.filter((t) => isTerminal(t.status));
  const batches: number[] = [];
  const totals = await backfillListKeys(models, { batchSize: 7, onBatch: (t) => batches.push(t.scanned) });
  expect(totals).toEqual({ scanned: legacy.length, written: finished.length, leftToStatusService: legacy.length - finished.length });
  expect(batches.length).toBe(Math.ceil(legacy.length / 7));
  const listed = await list.page<FixtureTask>({ owner, limit: 100 });
  expect(listed.items.map((t) => t._id)).toEqual(newestFirst(finished.filter((t) => t.owner === owner)));
  const failed = await list.page<FixtureTask>({ status: 'failed', limit: 100 });
  expect(failed.items.map((t) => t._id)).toEqual(newestFirst(legacy.filter((t) => t.status === 'failed')));
  // Their lists' heads were rebuilt: a cold first page is the head and one round of buckets (list-heads.ts).
  const stats = emptyPageStats();
  const cold = await new TaskList(models.Task, models.ListMark, 10_000).page<FixtureTask>({ status: 'failed', limit: 100 }, stats);
  expect(cold.items).toEqual(failed.items);
  expect(stats.rounds).toBeLessThanOrEqual(2);
  expect(await backfillListKeys(models)).toEqual({ scanned: legacy.length - finished.length, written: 0, leftToStatusService: legacy.length - finished.length });
});
