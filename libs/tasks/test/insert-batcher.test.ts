import mongoose, { type Connection } from 'mongoose';
import { testServers, type TestServers } from '@taskyard/testing';
import { InsertBatcher, isDuplicateKey, type InsertTarget } from '../src';

let servers: TestServers;
let conn: Connection;
const insertCommands: number[] = [];

beforeAll(async () => {
  servers = await testServers('insert-batcher');
  conn = await mongoose.createConnection(servers.mongoUrl, { monitorCommands: true }).asPromise();
  // What the driver sends, observed: the documents each insert command carried.
  conn.getClient().on('commandStarted', (e) => {
    if (e.commandName === 'insert' && e.command.insert === 'batched') insertCommands.push((e.command.documents as unknown[]).length);
  });
});
/** The test database's collection `name`, as a batcher's target. */
const into = (name: string) => (): InsertTarget => ({ db: conn.db!, collection: name });

afterAll(async () => {
  await conn?.close();
  await servers?.cleanup();
});

test('inserts arriving together go in few commands; each caller gets its own answer, a duplicate its own duplicate-key error', async () => {
  const coll = conn.collection('batched');
  await coll.insertOne({ _id: 'taken' } as never);
  insertCommands.length = 0;
  const batcher = new InsertBatcher(into('batched'), { windowMs: 5, maxBatch: 32 });
  const ids = Array.from({ length: 40 }, (_, i) => (i === 7 || i === 33 ? 'taken' : `doc-${i}`));
  const answers = await Promise.allSettled(ids.map((_id) => batcher.insert({ _id, n: 1 })));
  const refused = answers.flatMap((a, i) => (a.status === 'rejected' ? [i] : []));
  expect(refused).toEqual([7, 33]);
  for (const i of refused) expect(isDuplicateKey((answers[i] as PromiseRejectedResult).reason)).toBe(true);
  expect(await coll.countDocuments({ n: 1 })).toBe(38);
  expect(insertCommands.reduce((a, b) => a + b, 0)).toBe(40);
  expect(insertCommands.length).toBeLessThanOrEqual(4);
  expect(Math.max(...insertCommands)).toBeLessThanOrEqual(32);
});

test('a lone insert is not held back past its window', async () => {
  const batcher = new InsertBatcher(into('batched'), { windowMs: 5 });
  await batcher.insert({ _id: 'alone' });
  expect(await conn.collection('batched').countDocuments({ _id: 'alone' } as never)).toBe(1);
});

test('inserts arriving while the commands in flight are at their limit wait and go together (batches grow with the load)', async () => {
  insertCommands.length = 0;
  const batcher = new InsertBatcher(into('batched'), { maxInFlight: 1, maxBatch: 32 });
  const first = batcher.insert({ _id: 'lead' });
  // Sent at the end of this turn of the event loop, alone; the next ones arrive while it is written.
  await new Promise((r) => setImmediate(r));
  const rest = Array.from({ length: 20 }, (_, i) => batcher.insert({ _id: `follower-${i}` }));
  await Promise.all([first, ...rest]);
  expect(insertCommands).toEqual([1, 20]);
});

test('a command refused as a whole rejects every insert of it: none is taken as stored', async () => {
  // An invalid collection name fails the command itself, as a passed deadline does (the driver's insertMany
  // answered such a failure with a bulk error of no write errors, which read as all stored).
  const batcher = new InsertBatcher(into('bad$name'), { windowMs: 5 });
  const answers = await Promise.allSettled(['x-1', 'x-2', 'x-3'].map((_id) => batcher.insert({ _id })));
  expect(answers.map((a) => a.status)).toEqual(['rejected', 'rejected', 'rejected']);
  expect(isDuplicateKey((answers[0] as PromiseRejectedResult).reason)).toBe(false);
});
