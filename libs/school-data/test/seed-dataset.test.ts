import mongoose, { type Connection } from 'mongoose';
import { testServers, type TestServers } from '@taskyard/testing';
import { schoolModels, seedDataset } from '../src';

let servers: TestServers;
let conn: Connection;

beforeAll(async () => {
  servers = await testServers('school-data');
  conn = await mongoose.createConnection(servers.mongoUrl).asPromise();
});
afterAll(async () => {
  await conn?.close();
  await servers?.cleanup();
});

test('seeds a school dataset; a second run with the same seed adds nothing', async () => {
  const shape = { schools: 2, pupilsPerSchool: 35, weeks: 3, assessmentsPerBatch: 2 };
  const first = await seedDataset(conn, shape);
  expect(first.pupil).toEqual({ inserted: 70, existing: 0 });
  expect(first.class.inserted).toBe(4);
  const m = schoolModels(conn);
  const weeks = await m.SpellingWeek.countDocuments();
  expect(weeks).toBe(first.spellingWeek.inserted);
  expect(weeks).toBeGreaterThan(70 * 3 * 0.85);
  const sample = await m.SpellingWeek.findOne().lean();
  expect(sample!.results).toMatch(/^[01]{20}$/);
  expect(await m.SpellingTest.findById(sample!.testId).lean()).toMatchObject({ week: sample!.week });

  const again = await seedDataset(conn, shape);
  expect(again.spellingWeek).toEqual({ inserted: 0, existing: first.spellingWeek.inserted });
  expect(await m.SpellingWeek.countDocuments()).toBe(weeks);
  expect(await m.AssessmentScore.countDocuments()).toBe(70 * 2);
});
