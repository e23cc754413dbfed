import mongoose, { type Connection } from 'mongoose';
import { assessmentReportBatches, fanOutChildParams, type AssessmentReportParams, type FanOutStage } from '@taskyard/contracts';
import { batchId, schoolId, schoolModels, seedDataset } from '@taskyard/school-data';
import { directJobContext, runDirect } from '@taskyard/school-data/src/testing/direct-job-context';
import { ObjectStore } from '@taskyard/storage';
import { testServers, type TestServers } from '@taskyard/testing';
import { assessmentReportWorker } from '../src/assessment-report-handler';

let servers: TestServers;
let conn: Connection;
let store: ObjectStore;

const B1 = batchId(schoolId(1), 1);
const B2 = batchId(schoolId(1), 2);
const B3 = batchId(schoolId(2), 1);

beforeAll(async () => {
  servers = await testServers('assessment-report');
  conn = await mongoose.createConnection(servers.mongoUrl).asPromise();
  store = new ObjectStore(servers.s3);
  await seedDataset(conn, { schools: 2, pupilsPerSchool: 50, weeks: 0, assessmentsPerBatch: 4, seed: 9 });
});
afterAll(async () => {
  store?.close();
  await conn?.close();
  await servers?.cleanup();
});

const run = (params: AssessmentReportParams) => runDirect(assessmentReportWorker, { params, db: conn, store });

/** The children the workflow engine makes of a run that continued as `assessment-report-batches`: each one's title and params. */
function childrenOf(outcome: Awaited<ReturnType<typeof run>>['outcome']): { title: string; params: AssessmentReportParams }[] {
  const next = outcome ? outcome.continueAs : undefined;
  if (!next) return [];
  expect(next.workflow).toBe(assessmentReportBatches.name);
  const stage = assessmentReportBatches.stages[0] as FanOutStage;
  const items = next.params[stage.items] as unknown[];
  const titles = next.params[stage.itemTitles!] as string[];
  return items.map((item, i) => ({ title: titles[i], params: fanOutChildParams(stage, next.params, item) as unknown as AssessmentReportParams }));
}
const csvLines = async (key: string): Promise<string[][]> => (await store.getBuffer(key)).toString().trim().split('\n').map((l) => l.split(','));

test('one batch gives report-<batchId>.csv whose rows are the batch\'s scores', async () => {
  const done = await run({ batchFilters: { ids: [B1], channels: [] }, output_format: 'csv' });
  expect(childrenOf(done.outcome)).toHaveLength(0);
  expect(done.artifacts.map((a) => a.name)).toEqual([`report-${B1}.csv`]);
  const [header, ...rows] = await csvLines(done.artifacts[0].key);
  expect(header).toEqual(['batch_id', 'channel', 'pupil_id', 'pupil_name', 'content_id', 'subject', 'score', 'max_score', 'percent', 'attempted_at']);
  const scores = await conn.db!.collection('assessment_scores').find({ batchId: B1 }).toArray();
  expect(rows).toHaveLength(scores.length);
  const sum = (xs: number[]): number => xs.reduce((a, b) => a + b, 0);
  expect(sum(rows.map((r) => Number(r[6])))).toBe(sum(scores.map((s) => s.score as number)));
  expect(new Set(rows.map((r) => r[0]))).toEqual(new Set([B1]));
  expect(done.outcome).toMatchObject({ result: { batchId: B1, rows: scores.length } });
  expect(done.outcome && done.outcome.result?.partial).toBeUndefined();
});

test('content filters narrow the rows; json output is one document with every row', async () => {
  const done = await run({ batchFilters: { ids: [B2], channels: [] }, contentFilters: { subjects: ['maths'], minScore: 10 }, output_format: 'json' });
  expect(done.artifacts[0].name).toBe(`report-${B2}.json`);
  const body = JSON.parse((await store.getBuffer(done.artifacts[0].key)).toString()) as { batch_id: string; rows: { subject: string; score: number }[] };
  const expected = await conn.db!.collection('assessment_scores').countDocuments({ batchId: B2, subject: 'maths', score: { $gte: 10 } });
  expect(body.batch_id).toBe(B2);
  expect(body.rows).toHaveLength(expected);
  expect(body.rows.every((r) => r.subject === 'maths' && r.score >= 10)).toBe(true);
});

test('several batches continue as the workflow assessment-report-batches: one child per batch with the same filters, and no file on the parent', async () => {
  const params: AssessmentReportParams = { batchFilters: { ids: [B1, B2, B3], channels: [] }, contentFilters: { subjects: ['english'] }, output_format: 'csv' };
  const parent = await run(params);
  expect(parent.artifacts).toHaveLength(0);
  const children = childrenOf(parent.outcome);
  expect(children).toEqual([B1, B2, B3].map((id) => ({ title: `Assessment report, batch ${id}`, params: { ...params, batchFilters: { ids: [id], channels: [] } } })));
  // What the engine does next: each child runs on the same queue and writes its own file.
  const files: string[] = [];
  for (const child of children) files.push(...(await run(child.params)).artifacts.map((a) => a.name));
  expect(files).toEqual([`report-${B1}.csv`, `report-${B2}.csv`, `report-${B3}.csv`]);
});

test('a channel filter keeps only the batches published there', async () => {
  const batches = await schoolModels(conn).AssessmentBatch.find({ _id: { $in: [B1, B2, B3] } }).lean();
  const channel = batches[0].channel;
  const parent = await run({ batchFilters: { ids: [B1, B2, B3], channels: [channel] }, output_format: 'csv' });
  const kept = [B1, B2, B3].filter((id) => batches.find((b) => b._id === id)!.channel === channel);
  expect(childrenOf(parent.outcome).map((c) => c.params.batchFilters.ids[0])).toEqual(kept);
  // The batches left out make the result partial (the engine hands it to the parent with its fan-out).
  const skipped = 3 - kept.length;
  const partial = skipped ? [expect.objectContaining({ count: skipped, of: 3, other: 'batches skipped (not on the chosen channels)' })] : undefined;
  expect(parent.outcome && parent.outcome.result?.partial).toEqual(partial);
  expect(parent.outcome).toMatchObject({ result: { fannedOut: kept.length, ...(partial ? { partial } : {}) } });
});

test('an unknown batch fails for good before any fan-out', async () => {
  const r = directJobContext<AssessmentReportParams>({ type: 'assessment-report', params: { batchFilters: { ids: [B1, 'no-such-batch'], channels: [] }, output_format: 'csv' }, db: conn, store });
  await expect(assessmentReportWorker.handler(r.ctx)).rejects.toMatchObject({ name: 'PermanentJobError', code: 'batch-not-found' });
});

test('by channels alone (seed 001\'s sample): every batch published on them, one child each; none at all fails for good', async () => {
  const all = await schoolModels(conn).AssessmentBatch.find({}).lean();
  const channel = all[0].channel;
  const onChannel = all.filter((b) => b.channel === channel).map((b) => b._id).sort();
  const parent = await run({ batchFilters: { ids: [], channels: [channel, 'NO-SUCH-CHANNEL'] }, output_format: 'csv' });
  const named = onChannel.length > 1 ? childrenOf(parent.outcome).map((c) => c.params.batchFilters.ids[0]) : parent.artifacts.map((a) => a.name.slice('report-'.length, -'.csv'.length));
  expect(named.sort()).toEqual(onChannel);
  const r = directJobContext<AssessmentReportParams>({ type: 'assessment-report', params: { batchFilters: { ids: [], channels: ['NO-SUCH-CHANNEL'] }, output_format: 'csv' }, db: conn, store });
  await expect(assessmentReportWorker.handler(r.ctx)).rejects.toMatchObject({ name: 'PermanentJobError', code: 'no-batch-in-channels' });
});
