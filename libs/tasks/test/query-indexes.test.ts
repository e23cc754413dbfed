import mongoose, { type Connection } from 'mongoose';
import { explainFind, testServers, type TestServers } from '@taskyard/testing';
import { HEADS_SINCE_ID, failedKey, JOURNAL_SECONDS, ListMarks, ensureTaskIndexes, headNodeId, journalNodeId, nodeId, rootId, secondOf, taskModels, type TaskModels } from '../src';
import { fixtureTasks, storeTasks } from './list-fixtures';

// Every hot query is an equality an index serves: on the local FerretDB through the GIN twins of the
// model's indexes (deploy/local/ferretdb/gin-indexes.sql), on MongoDB through its own. The database's
// own `explain` must show an index read and no scan of the collection, with a history large enough
// that the planner would rather scan if no index could serve.
let servers: TestServers;
let conn: Connection;
let models: TaskModels;
const now = Date.UTC(2026, 10, 30, 9, 0, 0);
const tasks = fixtureTasks(3000, now, 700);

beforeAll(async () => {
  servers = await testServers('query-indexes');
  conn = await mongoose.createConnection(servers.mongoUrl, { serverSelectionTimeoutMS: 10_000 }).asPromise();
  models = taskModels(conn);
  await ensureTaskIndexes(models);
  await storeTasks(models, tasks, { ends: 'outcomes' });
  // A late entry (a day after the task's second) is journalled: read by the lists' first round.
  await new ListMarks(models.ListMark).ensureForStatus({ ...t, status: 'failed' }, later);
});
afterAll(async () => {
  await conn?.close();
  await servers?.cleanup();
});

const t = tasks[1234];
// Ended tasks (the fixture's succeeded, failed and cancelled) have their end stored as an outcome.
const ended = tasks.find((x) => x.status === 'succeeded' && !x.parentId)!;
const endedChild = tasks.find((x) => x.parentId && ['succeeded', 'failed', 'cancelled'].includes(x.status))!;
const failedTask = tasks.find((x) => x.status === 'failed')!;
const FAILED_KEY = failedKey(failedTask.type, failedTask.createdAt);
const later = now + 86_400_000;
const HOT_QUERIES: [string, string, Record<string, unknown>][] = [
  ['a task by id (get, cancel, the status fold)', 'tasks', { _id: t._id }],
  ['an idempotency key', 'tasks', { idempotencyScope: tasks[7].idempotencyScope }],
  ["a parent's children", 'tasks', { parentId: tasks[51].parentId }],
  ["a user's list bucket", 'tasks', { lk: nodeId(`u.${t.owner}`, 0, secondOf(t.createdAt)) }],
  ["an admin's list bucket by status", 'tasks', { lk: nodeId(`*|s.${t.status}`, 0, secondOf(t.createdAt)) }],
  ["a list's top marks", 'list_marks', { p: rootId(`u.${t.owner}`) }],
  ["a list's minute marks", 'list_marks', { p: nodeId('*', 1, Math.floor(secondOf(t.createdAt) / 60)) }],
  ["a list's journal of late entries", 'list_marks', { p: journalNodeId('*|s.failed', Math.floor(secondOf(later) / JOURNAL_SECONDS)) }],
  ["a list's head", 'list_marks', { p: headNodeId('*|s.failed') }],
  ['the database\'s "heads since"', 'list_marks', { _id: HEADS_SINCE_ID }],
  ["a task's end by id (every read of a task)", 'task_outcomes', { _id: ended._id }],
  ["a list bucket's ends", 'task_outcomes', { lk: nodeId(`u.${ended.owner}`, 0, secondOf(ended.createdAt)) }],
  ["an open list bucket's ended tasks", 'task_outcomes', { lk: nodeId(`*|s.running`, 0, secondOf(ended.createdAt)) }],
  ["a parent's children's ends", 'task_outcomes', { parentId: endedChild.parentId }],
  ['failed tasks of a type on a day (bulk retry)', 'task_outcomes', { failedKey: FAILED_KEY }],
];

test.each(HOT_QUERIES)('%s is read through an index', async (_what, collection, filter) => {
  expect(await conn.db!.collection(collection).countDocuments(filter)).toBeGreaterThan(0);
  const plan = await explainFind(conn, collection, filter);
  expect({ filter, nodes: plan.nodes, indexed: plan.indexed }).toEqual({ filter, nodes: plan.nodes, indexed: true });
});

test('a filter the model has no index for is scanned (the check can fail)', async () => {
  const plan = await explainFind(conn, 'tasks', { title: t._id });
  expect(plan.indexed).toBe(false);
});
