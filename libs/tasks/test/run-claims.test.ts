import mongoose, { type Connection } from 'mongoose';
import { createLogger } from '@taskyard/logging';
import { explainFind, testServers, waitFor, type TestServers } from '@taskyard/testing';
import { RUN_CLAIM_DAYS, RunClaims, runClaimModel } from '../src';

let servers: TestServers;
let conn: Connection;

beforeAll(async () => {
  servers = await testServers('run-claims');
  conn = await mongoose.createConnection(servers.mongoUrl, { serverSelectionTimeoutMS: 10_000 }).asPromise();
});
afterAll(async () => {
  await conn?.close();
  await servers?.cleanup();
});

const DAY = 86_400_000;
const day = (t: number): string => new Date(t).toISOString().slice(0, 10);

test('one claim per task attempt however many race; the days past retention are pruned by an indexed equality', async () => {
  const model = runClaimModel(conn);
  const now = Date.UTC(2026, 10, 30, 12);
  // A history of claims over 12 days (large enough that the planner would rather scan without an index).
  const docs = Array.from({ length: 3000 }, (_, i) => ({ _id: `old-${i}:1`, d: day(now - (i % 12) * DAY), holder: 'w', at: new Date(now - (i % 12) * DAY) }));
  for (let i = 0; i < docs.length; i += 32) await model.collection.insertMany(docs.slice(i, i + 32) as never[]);
  const claims = new RunClaims(model, 'worker-a', createLogger('test'));
  await claims.ensureIndexes();
  const plan = await explainFind(conn, 'run_claims', { d: day(now - 5 * DAY) });
  expect(plan.indexed).toBe(true);

  const won = await Promise.all(Array.from({ length: 20 }, () => claims.claim('t1', 1, new Date(now))));
  expect(won.filter(Boolean)).toHaveLength(1);
  expect(await claims.claim('t1', 2, new Date(now))).toBe(true);
  // The first claim of the day pruned every day from RUN_CLAIM_DAYS back (in the background).
  const keptDays = Array.from({ length: RUN_CLAIM_DAYS }, (_, k) => day(now - k * DAY));
  await waitFor('old days pruned', async () => (await model.countDocuments({ d: day(now - RUN_CLAIM_DAYS * DAY) })) === 0 && (await model.countDocuments({ d: day(now - 9 * DAY) })) === 0);
  for (const d of keptDays) expect(await model.countDocuments({ d })).toBeGreaterThan(0);
});
