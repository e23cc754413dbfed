import timers from 'node:timers';
import mongoose from 'mongoose';
import { testServers, type TestServers } from '../src';

// patches/mongodb@6.20.0.patch: the driver's connection pool kept a maintenance round every 100 ms for ever
// (ensureMinPoolSize), with no minimum pool size and no idle limit to keep up: ~0.2% of a core per idle
// service here. The driver schedules it through the `timers` module, so the test counts those rounds.
let servers: TestServers;
beforeAll(async () => {
  servers = await testServers('driver-idle-pool');
});
afterAll(async () => {
  await servers?.cleanup();
});

type SetTimeout = typeof timers.setTimeout;

/** Counts the pool maintenance rounds the driver schedules while `during` runs. */
async function poolRounds(during: () => Promise<void>): Promise<number> {
  const module = timers as { setTimeout: SetTimeout };
  const original = module.setTimeout;
  let rounds = 0;
  module.setTimeout = ((callback: (...args: unknown[]) => void, ms?: number, ...args: unknown[]) => {
    if (String(callback).includes('ensureMinPoolSize')) rounds++;
    return original(callback, ms, ...args);
  }) as SetTimeout;
  try {
    await during();
  } finally {
    module.setTimeout = original;
  }
  return rounds;
}

test('an idle connection without a minimum pool size schedules no pool maintenance, and still serves', async () => {
  const conn = await mongoose.createConnection(servers.mongoUrl).asPromise();
  try {
    const things = conn.collection<{ _id: string; n: number }>('things');
    const rounds = await poolRounds(async () => {
      await things.insertOne({ _id: 'a', n: 1 });
      await new Promise((r) => setTimeout(r, 1000)); // unpatched: a round every 100 ms
      expect(await things.findOne({ _id: 'a' })).toEqual({ _id: 'a', n: 1 });
    });
    expect(rounds).toBe(0);
  } finally {
    await conn.close();
  }
});

test('a pool with a minimum size still keeps it up (the patch leaves that loop alone)', async () => {
  const conn = await mongoose.createConnection(servers.mongoUrl, { minPoolSize: 2 }).asPromise();
  try {
    const rounds = await poolRounds(async () => {
      await conn.collection('things').findOne({});
      await new Promise((r) => setTimeout(r, 1000));
    });
    expect(rounds).toBeGreaterThan(0);
  } finally {
    await conn.close();
  }
});
