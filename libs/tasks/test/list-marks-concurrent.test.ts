import mongoose, { type Connection } from 'mongoose';
import { testServers, type TestServers } from '@taskyard/testing';
import { ListMarks, listScopes, taskModels, type TaskModels } from '../src';

let servers: TestServers;
let conn: Connection;
let models: TaskModels;
const insertedMarks: number[] = [];

beforeAll(async () => {
  servers = await testServers('list-marks-concurrent');
  conn = await mongoose.createConnection(servers.mongoUrl, { monitorCommands: true }).asPromise();
  models = taskModels(conn);
  // What the driver sends, observed (not replaced): how many marks each insert command carried.
  conn.getClient().on('commandStarted', (e) => {
    if (e.commandName === 'insert' && e.command.insert === models.ListMark.collection.collectionName) insertedMarks.push((e.command.documents as unknown[]).length);
  });
});
afterAll(async () => {
  await conn?.close();
  await servers?.cleanup();
});

test('submits of one second needing the same marks at once insert each mark once, and all of them wait for it', async () => {
  const marks = new ListMarks(models.ListMark);
  const task = { owner: 'busy-owner', type: 'diagnostic', status: 'queued' as const, createdAt: new Date() };
  await Promise.all(Array.from({ length: 30 }, () => marks.ensureFor(task)));
  const stored = await models.ListMark.countDocuments({});
  expect(stored).toBeGreaterThanOrEqual(listScopes(task).length);
  expect(insertedMarks.reduce((a, b) => a + b, 0)).toBe(stored);
});

test('a task of a second and shape already stored inserts nothing; one that differs only in its tag, status or type gets its own marks', async () => {
  const marks = new ListMarks(models.ListMark);
  const createdAt = new Date();
  const task = { owner: 'shape-owner', type: 'diagnostic', status: 'queued' as const, createdAt };
  await marks.ensureFor(task);
  const before = insertedMarks.length;
  await marks.ensureFor({ ...task });
  expect(insertedMarks.length).toBe(before);
  for (const other of [{ ...task, tag: 'class-7b' }, { ...task, status: 'scheduled' as const }, { ...task, type: 'spelling-report' }]) {
    await marks.ensureFor(other);
    // Every list of the other shape has its second's mark (the `lk` a list walk reads it by).
    for (const scope of listScopes(other)) {
      expect(await models.ListMark.countDocuments({ p: { $regex: `^${scope.replace(/[|*+.]/g, '\\$&')}@` } })).toBeGreaterThan(0);
    }
  }
  expect(insertedMarks.length).toBe(before + 3);
});
