import mongoose, { type Connection } from 'mongoose';
import { testServers, type TestServers } from '@taskyard/testing';
import { ensureTaskIndexes, taskModels, type TaskModels } from '@taskyard/tasks';
import { IDEMPOTENCY_WINDOW_MS, Idempotency, idempotencyScope } from '../src/idempotency';

// A key reused past its window takes its next generation; the lookup starts from the generation it last
// found, so its cost does not grow with how often the key was reused.
let servers: TestServers;
let conn: Connection;
let models: TaskModels;
let idem: Idempotency;

beforeAll(async () => {
  servers = await testServers('idempotency');
  conn = await mongoose.createConnection(servers.mongoUrl, { serverSelectionTimeoutMS: 10_000 }).asPromise();
  models = taskModels(conn);
  await ensureTaskIndexes(models);
  idem = new Idempotency(models.Task, models.Slot, 10_000);
});
afterAll(async () => {
  await conn?.close();
  await servers?.cleanup();
});

const now = Date.now();
async function store(owner: string, key: string, generation: number, ageMs: number): Promise<string> {
  const id = `${owner}-${key}-${generation}`;
  await models.Task.collection.insertOne({ _id: id, owner, status: 'succeeded', createdAt: new Date(now - ageMs), idempotencyScope: idempotencyScope(owner, key, generation) } as never);
  return id;
}

test('a fresh key is free at generation 0; a live one names its task', async () => {
  expect(await idem.lookup('ann', 'k', now)).toEqual({ scope: idempotencyScope('ann', 'k', 0) });
  const id = await store('ann', 'k', 0, 1000);
  expect((await idem.lookup('ann', 'k', now)).existing?._id).toBe(id);
});

test('past the window the next generation is free, and later lookups start from it, not from generation 0', async () => {
  for (let g = 0; g < 6; g++) await store('ben', 'nightly', g, IDEMPOTENCY_WINDOW_MS + (10 - g) * 3600_000);
  expect(await idem.lookup('ben', 'nightly', now)).toEqual({ scope: idempotencyScope('ben', 'nightly', 6) });
  // A live task at a lower generation cannot exist (each was taken after the one before expired); planted
  // here, it shows the next lookup does not read generations below the one it found.
  await models.Task.collection.deleteOne({ _id: 'ben-nightly-2' } as never);
  await store('ben', 'nightly', 2, 1000);
  expect(await idem.lookup('ben', 'nightly', now)).toEqual({ scope: idempotencyScope('ben', 'nightly', 6) });
  const live = await store('ben', 'nightly', 6, 1000);
  expect((await idem.lookup('ben', 'nightly', now)).existing?._id).toBe(live);
});
