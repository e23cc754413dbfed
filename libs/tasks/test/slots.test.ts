import mongoose, { type Connection } from 'mongoose';
import { testServers, type TestServers } from '@taskyard/testing';
import { jobTypes } from '@taskyard/contracts';
import { NO_SLOT, newTaskRecord, releaseSlot, takeSlot, takeSlots, taskModels, type TaskModels } from '../src';

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

test('a type without a limit (0) takes no slot: nothing is written, and its task holds none to free', async () => {
  const before = await models.Slot.countDocuments({});
  const slots = await Promise.all(Array.from({ length: 10 }, (_, i) => takeSlot(models.Slot, 'free-owner', 'diagnostic', 0, `free-${i}`)));
  expect(slots.every((s) => s === NO_SLOT)).toBe(true);
  expect(await takeSlots(models.Slot, 'free-owner', 'diagnostic', 0, ['a', 'b'])).toEqual([NO_SLOT, NO_SLOT]);
  expect(await releaseSlot(models.Slot, NO_SLOT, 'free-0')).toBe(false);
  expect(await models.Slot.countDocuments({})).toBe(before);
  const def = { ...jobTypes({ enableDiagnostic: true }).get('diagnostic')! };
  const task = newTaskRecord({ id: 'free-0', def: { ...def, limits: { ...def.limits, unfinishedPerOwner: 0 } }, owner: 'free-owner', params: {}, slotId: NO_SLOT });
  expect(task).not.toHaveProperty('slotId');
});
