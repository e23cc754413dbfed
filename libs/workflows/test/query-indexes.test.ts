import mongoose, { type Connection } from 'mongoose';
import { explainFind, testServers, type TestServers } from '@taskyard/testing';
import { ensureWorkflowIndexes, outputsKey, workflowModels } from '../src';

// The fan-in's count and read of a fan-out's outputs: one equality on `ws`, read through its index among
// the outputs of many workflows (not a scan of every workflow's outputs).
let servers: TestServers;
let conn: Connection;

beforeAll(async () => {
  servers = await testServers('workflow-query-indexes');
  conn = await mongoose.createConnection(servers.mongoUrl, { serverSelectionTimeoutMS: 10_000 }).asPromise();
  const models = workflowModels(conn);
  await ensureWorkflowIndexes(models);
  const docs = Array.from({ length: 3000 }, (_, i) => ({ _id: `wf-${i % 300}.pages.${i}`, ws: outputsKey(`wf-${i % 300}`, 'pages'), item: i, artifacts: [], at: new Date() }));
  for (let i = 0; i < docs.length; i += 32) await models.StageOutput.collection.insertMany(docs.slice(i, i + 32) as never[]);
  const early = Array.from({ length: 600 }, (_, i) => ({ _id: `wf-${i % 200}.pages.${i}`, parent: `wf-${i % 200}`, event: {}, at: new Date() }));
  for (let i = 0; i < early.length; i += 32) await models.EarlyEvent.collection.insertMany(early.slice(i, i + 32) as never[]);
});
afterAll(async () => {
  await conn?.close();
  await servers?.cleanup();
});

test("a fan-out's outputs are counted and read through an index", async () => {
  const filter = { ws: outputsKey('wf-17', 'pages') };
  expect(await conn.db!.collection('workflow_outputs').countDocuments(filter)).toBe(10);
  const plan = await explainFind(conn, 'workflow_outputs', filter);
  expect({ nodes: plan.nodes, indexed: plan.indexed }).toEqual({ nodes: plan.nodes, indexed: true });
});

test("the children's ends kept for a task's continuation are read through an index", async () => {
  const filter = { parent: 'wf-17' };
  expect(await conn.db!.collection('workflow_early_events').countDocuments(filter)).toBe(3);
  expect((await explainFind(conn, 'workflow_early_events', filter)).indexed).toBe(true);
});

test('a filter without an index is scanned (the check can fail)', async () => {
  expect((await explainFind(conn, 'workflow_outputs', { item: 5 })).indexed).toBe(false);
});
