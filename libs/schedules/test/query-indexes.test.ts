import mongoose, { type Connection } from 'mongoose';
import { explainFind, testServers, type TestServers } from '@taskyard/testing';
import { ensureTaskIndexes, failedKey, jobTypePauseModel, taskModels } from '@taskyard/tasks';
import { ensureScheduleIndexes, scheduleModels } from '../src';

// The job-control queries are equalities an index serves (on the local FerretDB through the GIN twins of
// the models' indexes), checked with the database's own explain over a history large enough to scan.
let servers: TestServers;
let conn: Connection;
const N = 3000;
const day = (i: number): string => new Date(Date.UTC(2026, 0, 1 + (i % 60))).toISOString().slice(0, 10);

beforeAll(async () => {
  servers = await testServers('jobctl-indexes');
  conn = await mongoose.createConnection(servers.mongoUrl, { serverSelectionTimeoutMS: 10_000 }).asPromise();
  const tasks = taskModels(conn);
  const schedules = scheduleModels(conn);
  await ensureTaskIndexes(tasks);
  await ensureScheduleIndexes(schedules);
  await jobTypePauseModel(conn).createIndexes();
  const at = new Date();
  await tasks.Task.collection.insertMany(
    Array.from({ length: N }, (_, i) => ({ _id: `t${i}`, type: i % 2 ? 'a' : 'b', owner: `o${i % 50}`, status: i % 3 ? 'succeeded' : 'failed', ...(i % 3 ? {} : { failedKey: failedKey(i % 2 ? 'a' : 'b', new Date(day(i))) }), createdAt: at })) as never[],
  );
  await schedules.Schedule.collection.insertMany(Array.from({ length: N }, (_, i) => ({ _id: `s${i}`, owner: `o${i % 200}`, paused: i % 10 !== 0 })) as never[]);
  await schedules.Occurrence.collection.insertMany(
    Array.from({ length: N }, (_, i) => ({ _id: `s${i % 30}:${i}`, scheduleId: `s${i % 30}`, outcome: i === 7 ? 'pending' : 'submitted', day: day(i), p: `o.s${i % 30}@1:${i % 100}` })) as never[],
  );
  await schedules.HistoryMark.collection.insertMany(
    Array.from({ length: N }, (_, i) => ({ _id: `m${i}`, p: i % 3 ? `o.s${i % 30}@2:${i % 40}` : `prune@${day(i)}`, n: i })) as never[],
  );
});
afterAll(async () => {
  await conn?.close();
  await servers?.cleanup();
});

const QUERIES: [string, string, Record<string, unknown>][] = [
  ['failed tasks of a type on a day (bulk retry)', 'tasks', { failedKey: `a|${day(3)}` }],
  ["an owner's schedules", 'schedules', { owner: 'o7' }],
  ['the active schedules (the scheduler)', 'schedules', { paused: false }],
  ['occurrences left pending', 'schedule_occurrences', { outcome: 'pending' }],
  ["an occurrence by id (its task's fire)", 'schedule_occurrences', { _id: 's7:7' }],
  ["a minute of a schedule's history (a history page, a prune)", 'schedule_occurrences', { p: 'o.s7@1:7' }],
  ["the children of a node of a schedule's history", 'schedule_history_marks', { p: 'o.s7@2:7' }],
  ['the schedules with history on a past day (the pruner)', 'schedule_history_marks', { p: `prune@${day(3)}` }],
];

test.each(QUERIES)('%s is read through an index', async (_what, collection, filter) => {
  expect(await conn.db!.collection(collection).countDocuments(filter)).toBeGreaterThan(0);
  const plan = await explainFind(conn, collection, filter);
  expect({ filter, nodes: plan.nodes, indexed: plan.indexed }).toEqual({ filter, nodes: plan.nodes, indexed: true });
});
