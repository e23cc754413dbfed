import mongoose, { type Connection } from 'mongoose';
import { readTask, taskModels, type TaskRecord } from '@taskyard/tasks';
import { assessmentReportBatches, fanOutChildId, jobTypes } from '@taskyard/contracts';
import { createLogger } from '@taskyard/logging';
import { callGateway, startProcessStack, testServers, waitFor, type ProcessStack, type TestServers } from '@taskyard/testing';
import { PermanentJobError, defineWorker, startWorker, type RunningWorker } from '@taskyard/worker';
import { Gates } from './test-gates';

// A failed assessment report retried through the task API (POST /v1/tasks/:id/retry) runs again only the
// batches that did not succeed, as a workflow retry does. The gateway and the status service run as processes;
// the report's worker is a stand-in in this process (its batches succeed, or fail while the test says so).
let servers: TestServers;
let stack: ProcessStack;
let worker: RunningWorker;
let db: Connection;
const runs = new Map<string, number>();
const gates = new Gates();
/** Batches that fail (after their gate opens) while listed here. */
const failing = new Set<string>();
const STAGE = assessmentReportBatches.stages[0].name;

const reportWorker = defineWorker<{ batchFilters: { ids: string[]; channels: string[] }; output_format: string }>({
  type: 'assessment-report',
  concurrency: 8,
  async handler(ctx) {
    runs.set(ctx.task.id, (runs.get(ctx.task.id) ?? 0) + 1);
    const ids = ctx.task.params.batchFilters.ids;
    if (!ctx.task.stage) {
      const params = { ...ctx.task.params, batches: ids.map((b) => ({ ids: [b], channels: [] })), titles: ids.map((b) => `Assessment report, batch ${b}`) };
      return { result: { fannedOut: ids.length }, continueAs: { workflow: assessmentReportBatches.name, params } };
    }
    const batch = ids[0];
    if (failing.has(batch)) {
      await gates.wait(batch);
      throw new PermanentJobError('bad-batch', `batch ${batch} cannot be reported`);
    }
    await ctx.artifacts.write(`report-${batch}.csv`, 'batch_id\n', 'text/csv');
    return { result: { batchId: batch } };
  },
});

const call = <T = Record<string, unknown>>(method: string, path: string, json?: unknown): Promise<{ status: number; body: T }> =>
  callGateway<T>(stack.gatewayUrl, stack.keys.find((k) => k.role === 'user')!.key, method, path, json);

type View = { id: string; status: string; artifacts: { name: string }[]; error?: { code: string; message: string }; retryOf?: string };
const settled = (id: string): Promise<View> =>
  waitFor(`task ${id} to end`, async () => {
    const t = (await call<View>('GET', `/v1/tasks/${id}`)).body;
    return ['succeeded', 'failed', 'cancelled'].includes(t.status) ? t : undefined;
  }, { timeoutMs: 60_000, intervalMs: 150 });

beforeAll(async () => {
  servers = await testServers('report-retry');
  db = await mongoose.createConnection(servers.mongoUrl).asPromise();
  stack = await startProcessStack({ servers, limits: { 'assessment-report': { maxAttempts: 1 } } });
  const jobType = jobTypes({ limitOverrides: { 'assessment-report': { maxAttempts: 1 } } }).get('assessment-report')!;
  worker = await startWorker(reportWorker, { servers, jobType, logger: createLogger('test'), heartbeatMs: 500, flushMs: 200 });
}, 120_000);
afterAll(async () => {
  await worker?.stop(1000);
  await stack?.stop(5000);
  await db?.close();
  await servers?.cleanup();
});

test('a failed report retried through the task API runs only the batch that failed; the retry lists every file', async () => {
  const batches = ['r-a', 'r-b', 'r-flaky', 'r-c'];
  failing.add('r-flaky');
  const submitted = await call<{ id: string }>('POST', '/v1/tasks', { type: 'assessment-report', params: { batchFilters: { ids: batches, channels: [] }, output_format: 'csv' } });
  expect(submitted.status).toBe(202);
  const id = submitted.body.id;
  // The flaky batch fails only once the three others have succeeded (their outputs stored).
  await waitFor('the other batches to succeed', async () => (await db.collection('workflow_outputs').countDocuments({ ws: `${id}/${STAGE}` } as never)) === 3, { timeoutMs: 30_000 });
  gates.open('r-flaky');
  const failed = await settled(id);
  expect(failed.status).toBe('failed');
  expect(failed.error?.message).toContain('r-flaky');

  failing.delete('r-flaky');
  const retried = await call<{ id: string; retryOf: string }>('POST', `/v1/tasks/${id}/retry`);
  expect(retried.status).toBe(202);
  const retry = await settled(retried.body.id);
  expect(retry.status).toBe('succeeded');
  expect(retry.artifacts.map((a) => a.name).sort()).toEqual(batches.map((b) => `report-${b}.csv`).sort());
  // Only the flaky batch's child ran under the retry, once; the three others were kept, not run nor made.
  const child = (n: number): string => fanOutChildId(retry.id, STAGE, n);
  expect([1, 2, 3, 4].filter((n) => runs.has(child(n)))).toEqual([3]);
  expect(runs.get(child(3))).toBe(1);
  expect(await db.collection('tasks').countDocuments({ parentId: retry.id } as never)).toBe(1);
  expect(await db.collection('workflow_outputs').countDocuments({ ws: `${retry.id}/${STAGE}` } as never)).toBe(4);
  const stored = (await readTask<TaskRecord>(taskModels(db).Task, retry.id, {}, 10_000))!;
  expect(stored.logs.map((l) => l.message)).toContain(`stage ${STAGE} started: 4 child task(s) of assessment-report, 3 kept from the workflow retried (not run again)`);
});
