import mongoose, { type Connection } from 'mongoose';
import { occurrenceId } from '@taskyard/contracts';
import { createLogger } from '@taskyard/logging';
import { testServers, type TestServers } from '@taskyard/testing';
import { DayDecision, OccurrenceHistory, OccurrencePruner, PRUNE_DEFAULTS, ensureScheduleIndexes, minuteNode, scheduleModels, type ScheduleModels } from '../src';

let servers: TestServers;
let conn: Connection;
let models: ScheduleModels;
const logger = createLogger('prune-test');
const DAY = 86_400_000;
const now = new Date();
const startOfToday = Math.floor(now.getTime() / DAY) * DAY;

/** `count` fire times from `startMs`, `stepMs` apart (whole seconds). */
const fires = (startMs: number, count: number, stepMs: number): Date[] => Array.from({ length: count }, (_, i) => new Date(startMs + i * stepMs));

async function record(scheduleId: string, at: Date[]): Promise<void> {
  const history = new OccurrenceHistory(models);
  for (const fireAt of at) await history.prepare(scheduleId, fireAt);
  await models.Occurrence.collection.insertMany(
    at.map((fireAt) => ({ _id: occurrenceId(scheduleId, fireAt), scheduleId, fireAt, outcome: 'submitted', holder: 't', at: fireAt, day: fireAt.toISOString().slice(0, 10), p: minuteNode(scheduleId, fireAt) })) as never[],
  );
}

beforeAll(async () => {
  servers = await testServers('occurrence-pruning');
  conn = await mongoose.createConnection(servers.mongoUrl, { serverSelectionTimeoutMS: 10_000 }).asPromise();
  models = scheduleModels(conn);
  await ensureScheduleIndexes(models);
});
afterAll(async () => {
  await conn?.close();
  await servers?.cleanup();
});

test('days past the retention go with their marks, a few days a pass; newer days and their pages stay whole', async () => {
  // Two schedules: occurrences 40 and 31 days ago (several hours and minutes of each), 2 days ago, and today.
  const old40 = startOfToday - 40 * DAY;
  const old31 = startOfToday - 31 * DAY;
  const recent = [...fires(startOfToday - 2 * DAY + 3_600_000, 30, 1000), ...fires(startOfToday + 1000, 5, 1000)];
  await record('every-second', [...fires(old40, 150, 1000), ...fires(old40 + 5 * 3_600_000, 20, 1000), ...fires(old31, 10, 1000), ...recent]);
  await record('hourly', [...fires(old40, 24, 3_600_000), ...fires(old31, 24, 3_600_000)]);
  const before = await models.Occurrence.countDocuments({});
  expect(before).toBe(150 + 20 + 10 + 35 + 48);

  // A pass stopped by its deadline leaves the day to the next pass, and loses nothing it has not deleted.
  const hurried = await new OccurrencePruner(models, logger, { ...PRUNE_DEFAULTS, passDeadlineMs: -1 }).pass(now);
  expect(hurried.days).toEqual([{ day: new Date(old40).toISOString().slice(0, 10), decision: DayDecision.Unfinished }]);

  const pruner = new OccurrencePruner(models, logger, { ...PRUNE_DEFAULTS, maxDaysPerPass: 1 });
  const first = await pruner.pass(now);
  expect(first).toEqual({ days: [{ day: new Date(old40).toISOString().slice(0, 10), decision: DayDecision.Pruned }], occurrences: 150 + 20 + 24 });
  const second = await pruner.pass(now);
  expect(second).toEqual({ days: [{ day: new Date(old31).toISOString().slice(0, 10), decision: DayDecision.Pruned }], occurrences: 10 + 24 });
  expect(await pruner.pass(now)).toEqual({ days: [], occurrences: 0 });

  expect(await models.Occurrence.countDocuments({})).toBe(recent.length);
  // Only the recent days' marks are left (and the 64-day blocks, kept on purpose).
  const marks = (await models.HistoryMark.find({}).lean().exec()).map((m) => m._id);
  for (const gone of [old40, old31].map((t) => new Date(t).toISOString().slice(0, 10))) expect(marks.filter((id) => id.includes(gone))).toEqual([]);
  expect(marks.filter((id) => id.includes('@3:')).sort()).toEqual(
    [startOfToday - 2 * DAY, startOfToday].map((t) => `o.every-second@3:${t / DAY}`).sort(),
  );
  const page = await new OccurrenceHistory(models).page('every-second', 100);
  expect(page.items.map((o) => o.fireAt.getTime())).toEqual(recent.map((d) => d.getTime()).sort((a, b) => b - a));
  expect(page.more).toBe(false);
  expect((await new OccurrenceHistory(models).page('hourly', 10)).items).toEqual([]);
});
