import mongoose, { type Connection } from 'mongoose';
import { testServers, type TestServers } from '../src';

// Proves the database works through mongoose, and pins down the behaviour the design rests on
// (SPEC "The local database: facts measured here"): a unique insert and a delete decide races.
let servers: TestServers;
let conn: Connection;

interface Doc {
  _id: string;
  state: string;
  n: number;
}
const schema = new mongoose.Schema<Doc>({ _id: String, state: String, n: Number }, { versionKey: false });
const uniqueSchema = new mongoose.Schema({ email: { type: String, unique: true } });

beforeAll(async () => {
  servers = await testServers('database');
  conn = await mongoose.createConnection(servers.mongoUrl, { serverSelectionTimeoutMS: 10_000 }).asPromise();
});
afterAll(async () => {
  await conn?.close();
  await servers?.cleanup();
});

test('writes and reads a document', async () => {
  const Model = conn.model('Plain', schema);
  await Model.create({ _id: 'a', state: 'queued', n: 0 });
  const found = await Model.findById('a').lean();
  expect(found).toEqual({ _id: 'a', state: 'queued', n: 0 });
});

test('a unique index refuses a duplicate', async () => {
  const Model = conn.model('Unique', uniqueSchema);
  await Model.init();
  await Model.create({ email: 'x@example.org' });
  await expect(Model.create({ email: 'x@example.org' })).rejects.toMatchObject({ code: 11000 });
  expect(await Model.countDocuments({ email: 'x@example.org' })).toBe(1);
});

test('a conditional update matches nothing when the state is stale', async () => {
  const Model = conn.model('Conditional', schema);
  await Model.create({ _id: 'c', state: 'running', n: 0 });
  const stale = await Model.updateOne({ _id: 'c', state: 'queued' }, { $set: { state: 'running' }, $inc: { n: 1 } });
  expect(stale.matchedCount).toBe(0);
  const fresh = await Model.updateOne({ _id: 'c', state: 'running' }, { $set: { state: 'succeeded' } });
  expect(fresh.modifiedCount).toBe(1);
  expect(await Model.findById('c').lean()).toMatchObject({ state: 'succeeded', n: 0 });
});

test('30 concurrent inserts of one _id: exactly one succeeds; 30 concurrent deletes: exactly one reports it', async () => {
  const Model = conn.model('Race', schema);
  for (let round = 0; round < 3; round++) {
    const id = `race-${round}`;
    // Separate connections, so the race is between clients as it is between services.
    const clients = await Promise.all(
      Array.from({ length: 6 }, () => mongoose.createConnection(servers.mongoUrl, { maxPoolSize: 5 }).asPromise()),
    );
    try {
      const models = clients.map((c) => c.model('Race', schema));
      const inserts = await Promise.allSettled(
        Array.from({ length: 30 }, (_, i) => models[i % models.length].collection.insertOne({ _id: id, state: 'held', n: i } as never)),
      );
      expect(inserts.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
      for (const r of inserts) if (r.status === 'rejected') expect(r.reason).toMatchObject({ code: 11000 });
      expect(await Model.countDocuments({ _id: id })).toBe(1);

      const deletes = await Promise.all(Array.from({ length: 30 }, (_, i) => models[i % models.length].deleteOne({ _id: id })));
      expect(deletes.filter((d) => d.deletedCount === 1)).toHaveLength(1);
      expect(await Model.countDocuments({ _id: id })).toBe(0);
    } finally {
      await Promise.all(clients.map((c) => c.close()));
    }
  }
});
