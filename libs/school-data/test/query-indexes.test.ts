import mongoose, { type Connection } from 'mongoose';
import { explainFind, testServers, type TestServers } from '@taskyard/testing';
import { COLLECTIONS, ensureSchoolIndexes } from '../src';

// The import learns what a school already holds by one equality per school (knownDocuments,
// import-refs): each must be read through an index, or every import scans the whole school group's data.
let servers: TestServers;
let conn: Connection;
const SCHOOLS = 40;
const PER_SCHOOL = 60;

beforeAll(async () => {
  servers = await testServers('school-indexes');
  conn = await mongoose.createConnection(servers.mongoUrl, { serverSelectionTimeoutMS: 10_000 }).asPromise();
  await ensureSchoolIndexes(conn);
  const scores = [];
  for (let s = 0; s < SCHOOLS; s++) {
    for (let i = 0; i < PER_SCHOOL; i++) {
      scores.push({ _id: `score-${s}-${i}`, batchId: `batch-${s}`, schoolId: `school-${s}`, pupilId: `pupil-${s}-${i}`, contentId: 'c', subject: 'maths', score: 1, maxScore: 2, attemptedAt: '2026-01-01' });
    }
  }
  // Batches of 32 or fewer: larger bulk writes hang on the local FerretDB.
  for (let i = 0; i < scores.length; i += 32) await conn.db!.collection<{ _id: string }>(COLLECTIONS.assessmentScores).insertMany(scores.slice(i, i + 32));
}, 120_000);
afterAll(async () => {
  await conn?.close();
  await servers?.cleanup();
});

test.each([
  ["a school's assessment scores", COLLECTIONS.assessmentScores, { schoolId: 'school-7' }],
  ["a batch's assessment scores", COLLECTIONS.assessmentScores, { batchId: 'batch-7' }],
])('%s are read through an index', async (_what, collection, filter) => {
  expect(await conn.db!.collection(collection).countDocuments(filter)).toBe(PER_SCHOOL);
  const plan = await explainFind(conn, collection, filter);
  expect({ filter, nodes: plan.nodes, indexed: plan.indexed }).toEqual({ filter, nodes: plan.nodes, indexed: true });
});
