import mongoose, { type Connection } from 'mongoose';
import { testServers, type TestServers } from '@taskyard/testing';
import { FOLD_WRITE_FIELD, FoldWriteBatcher, type FoldWriteTarget } from '../src/fold-write-batcher';

let servers: TestServers;
let conn: Connection;
const updateCommands: number[] = [];

beforeAll(async () => {
  servers = await testServers('fold-write-batcher');
  conn = await mongoose.createConnection(servers.mongoUrl, { monitorCommands: true }).asPromise();
  // What the driver sends, observed: the statements each update command carried.
  conn.getClient().on('commandStarted', (e) => {
    if (e.commandName === 'update' && e.command.update === 'folds') updateCommands.push((e.command.updates as unknown[]).length);
  });
});
afterAll(async () => {
  await conn?.close();
  await servers?.cleanup();
});

const target = (): FoldWriteTarget => ({
  command: (cmd) => conn.db!.command(cmd),
  collectionName: 'folds',
  findOne: (filter, opts) => conn.collection('folds').findOne(filter as never, opts),
});

const fold = (runId: string) => ({ $set: { status: 'succeeded', attempt: 1, runId, lastSeq: 2, finishedAt: new Date(1_000) } });

test('writes of one turn share few commands; each conditional write answers whether it was written, as alone it would', async () => {
  const coll = conn.collection('folds');
  const ids = Array.from({ length: 11 }, (_, i) => `t${i}`);
  await coll.insertMany(ids.map((_id) => ({ _id, status: 'queued', attempt: 0 })) as never);
  // t3 was cancelled while queued; t5 already holds this very fold (an event delivered twice: its second write is
  // not written, or its task would be counted finished twice); t9 does not exist.
  await coll.updateOne({ _id: 't3' } as never, { $set: { status: 'cancelled' } });
  await coll.updateOne({ _id: 't5' } as never, fold('run-t5'));
  await coll.deleteOne({ _id: 't9' } as never);
  updateCommands.length = 0;
  const batcher = new FoldWriteBatcher(target, { perCommand: 4 });
  const answers = await Promise.all(
    ids.map((_id, i) => batcher.write({ filter: i === 10 ? { _id } : { _id, status: 'queued', attempt: 0 }, update: i === 10 ? { $set: { progress: 50 } } : fold(`run-${_id}`) })),
  );
  expect(answers.map((a) => a !== undefined)).toEqual([true, true, true, false, true, false, true, true, true, false, true]);
  // A written task holds its write's id, each write its own.
  for (const [i, id] of answers.entries()) if (id) expect((await coll.findOne({ _id: ids[i] } as never))?.[FOLD_WRITE_FIELD]).toBe(id);
  expect(new Set(answers.filter(Boolean)).size).toBe(8);
  expect([...updateCommands].sort()).toEqual([3, 4, 4]);
  expect(await coll.findOne({ _id: 't3' } as never)).toMatchObject({ status: 'cancelled', attempt: 0 });
  expect(await coll.countDocuments({ runId: { $exists: true } })).toBe(8);
  expect(await coll.findOne({ _id: 't10' } as never)).toMatchObject({ status: 'queued', progress: 50 });
});

test('a write conditional on the id of the last write is written only while the task still holds it', async () => {
  const coll = conn.collection('folds');
  await coll.insertOne({ _id: 'w0', status: 'queued', attempt: 0 } as never);
  const batcher = new FoldWriteBatcher(target);
  const first = await batcher.write({ filter: { _id: 'w0', status: 'queued', attempt: 0 }, update: { $set: { status: 'running', attempt: 1 } } });
  const second = await batcher.write({ filter: { _id: 'w0', [FOLD_WRITE_FIELD]: first! }, update: { $set: { progress: 10 } } });
  expect(second).toBeDefined();
  // The first write's id is stale now: a fold from the state it stored must not be written.
  const [stale, latest] = await Promise.all([
    batcher.write({ filter: { _id: 'w0', [FOLD_WRITE_FIELD]: first! }, update: { $set: { progress: 99 } } }),
    batcher.write({ filter: { _id: 'w0', [FOLD_WRITE_FIELD]: second! }, update: { $set: { status: 'succeeded' } } }),
  ]);
  expect(stale).toBeUndefined();
  expect(latest).toBeDefined();
  expect(await coll.findOne({ _id: 'w0' } as never)).toMatchObject({ status: 'succeeded', progress: 10, [FOLD_WRITE_FIELD]: latest });
});

test('a command the database refuses fails each of its writes', async () => {
  const batcher = new FoldWriteBatcher(target);
  // `$set` of `_id` to another value is refused by the database.
  const answers = await Promise.allSettled([batcher.write({ filter: { _id: 't0' }, update: { $set: { _id: 'other' } } }), batcher.write({ filter: { _id: 't1' }, update: { $set: { progress: 1 } } })]);
  expect(answers.map((a) => a.status)).toEqual(['rejected', 'rejected']);
});
