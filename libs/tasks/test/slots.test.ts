import mongoose, { type Connection } from 'mongoose';
import { testServers, type TestServers } from '@taskyard/testing';
import { releaseSlot, takeSlot, taskModels, type TaskModels } from '../src';

let servers: TestServers;
let conn: Connection;
let models: TaskModels;

beforeAll(async () => {
  servers = await testServers('slots');
  conn = await mongoose.createConnection(servers.mongoUrl).asPromise();
  models = taskModels(conn);
});
afterAll(async () => {
  await conn?.close();
  await servers?.cleanup();
});

test('20 racing takers against a limit of 3: exactly 3 get a slot; a freed slot is taken again', async () => {
  const taken = await Promise.all(Array.from({ length: 20 }, (_, i) => takeSlot(models.Slot, 'race-owner', 'diagnostic', 3, `task-${i}`)));
  const won = taken.filter((s): s is string => s !== null);
  expect(won).toHaveLength(3);
  expect(new Set(won).size).toBe(3);
  expect(await takeSlot(models.Slot, 'race-owner', 'diagnostic', 3, 'late')).toBeNull();
  const holder = taken.findIndex((s) => s === won[0]);
  expect(await releaseSlot(models.Slot, won[0], `task-${holder}`)).toBe(true);
  expect(await takeSlot(models.Slot, 'race-owner', 'diagnostic', 3, 'late')).toBe(won[0]);
});

test('a huge limit hands out distinct slots', async () => {
  const slots = await Promise.all(Array.from({ length: 20 }, (_, i) => takeSlot(models.Slot, 'big-owner', 'diagnostic', 1_000_000, `t-${i}`)));
  expect(new Set(slots).size).toBe(20);
  expect(slots.every((s) => s !== null)).toBe(true);
});
