import { randomUUID } from 'node:crypto';
import { assessmentReportBatches, fanOutChildId } from '@taskyard/contracts';
import { publishEvent } from '@taskyard/messaging';
import { waitFor } from '@taskyard/testing';
import { PermanentJobError, defineWorker } from '@taskyard/worker';
import { startHarness, type Harness } from './lifecycle-harness';
import { Gates } from './test-gates';

// A task whose handler fans out continues as a declared workflow (the assessment report's batches): the workflow
// engine makes and counts its children, and the task keeps its type, log and result and ends as a task does.
let h: Harness;
/** Runs per task id: each child must run once. */
const runs = new Map<string, number>();
const gates = new Gates();

const STAGE = assessmentReportBatches.stages[0].name;

/** Stands in for the assessment report: the parent names its batches; a child (a stage task) writes its batch's file. */
const reportWorker = defineWorker<{ batchFilters: { ids: string[]; channels: string[] }; output_format: string }>({
  type: 'assessment-report',
  concurrency: 16,
  async handler(ctx) {
    runs.set(ctx.task.id, (runs.get(ctx.task.id) ?? 0) + 1);
    const ids = ctx.task.params.batchFilters.ids;
    if (ctx.task.stage) {
      const batch = ids[0];
      ctx.log(`child ${ctx.task.id} ran`);
      if (batch.startsWith('gate')) await gates.wait(batch);
      if (batch === 'boom') throw new PermanentJobError('bad-batch', 'batch boom cannot be reported');
      await ctx.artifacts.write(`report-${batch}.csv`, 'batch_id\n', 'text/csv');
      return { result: { batchId: batch } };
    }
    ctx.log('splitting the work');
    const params = { ...ctx.task.params, batches: ids.map((b) => ({ ids: [b], channels: [] })), titles: ids.map((b) => `Assessment report, batch ${b}`) };
    ctx.log(`fanning out ${ids.length} child task(s)`);
    return { result: { fannedOut: ids.length }, continueAs: { workflow: assessmentReportBatches.name, params } };
  },
});

beforeAll(async () => {
  h = await startHarness('fan-out', { timeoutMs: 5000, maxAttempts: 1 });
  await h.startWorker(reportWorker);
});
afterAll(async () => h?.close());

const submit = (batches: string[]): Promise<string> => h.submit('assessment-report', { batchFilters: { ids: batches, channels: [] }, output_format: 'csv' });
const child = (id: string, n: number): string => fanOutChildId(id, STAGE, n);

test('a task continued as a workflow keeps its type, whole log and result; one titled child per batch under it; it ends listing every file', async () => {
  const id = await submit(['b1', 'b2', 'b3']);
  const parent = await h.waitForStatus(id, ['succeeded', 'failed', 'cancelled']);
  expect(parent).toMatchObject({ status: 'succeeded', type: 'assessment-report', progress: 100, result: { fannedOut: 3 } });
  expect(parent.artifacts.map((a) => a.name).sort()).toEqual(['report-b1.csv', 'report-b2.csv', 'report-b3.csv']);
  expect(parent.logs.map((l) => l.message)).toEqual([
    'splitting the work', 'fanning out 3 child task(s)', `stage ${STAGE} started: 3 child task(s) of assessment-report`, `stage ${STAGE} succeeded`, 'workflow succeeded',
  ]);
  // Its one attempt spans the children's work, and it has retention like any succeeded task.
  expect(parent.attempts?.map((a) => [a.attempt, a.outcome])).toEqual([[1, 'succeeded']]);
  expect(parent.expiresAt).toBeDefined();
  expect(parent.workflow?.stages).toEqual([expect.objectContaining({ name: STAGE, state: 'succeeded', total: 3, done: 3 })]);
  for (const [n, b] of [[1, 'b1'], [2, 'b2'], [3, 'b3']] as const) {
    const c = await h.task(child(id, n));
    expect(c).toMatchObject({ parentId: id, title: `Assessment report, batch ${b}`, status: 'succeeded', params: { batchFilters: { ids: [b], channels: [] }, output_format: 'csv' } });
    expect(c.params).not.toHaveProperty('batches');
    expect(c.logs.map((l) => l.message)).toEqual([`child ${child(id, n)} ran`]);
    expect(runs.get(child(id, n))).toBe(1);
  }
});

test('one child failing for good fails the task naming it, and cancels the children still running', async () => {
  const id = await submit(['gate-f', 'boom']);
  await waitFor('the gated child to run', async () => runs.get(child(id, 1)) === 1);
  const parent = await h.waitForStatus(id, ['succeeded', 'failed', 'cancelled']);
  expect(parent.status).toBe('failed');
  expect(parent.error).toMatchObject({ code: 'stage-failed', message: expect.stringContaining(`child ${child(id, 2)}: batch boom cannot be reported`) });
  expect(parent.attempts?.map((a) => a.outcome)).toEqual(['failed']);
  expect((await h.waitForStatus(child(id, 1), ['cancelled'])).status).toBe('cancelled');
  gates.open('gate-f');
});

test('a cancel of the waiting task cancels it at once and reaches every running child', async () => {
  const id = await submit(['gate-c1', 'gate-c2']);
  await waitFor('both children to run', async () => runs.get(child(id, 1)) === 1 && runs.get(child(id, 2)) === 1);
  await publishEvent(h.publisher, { kind: 'cancel-requested', taskId: id, type: 'assessment-report', requestedBy: 'owner-1' });
  expect((await h.waitForStatus(id, ['succeeded', 'failed', 'cancelled'])).status).toBe('cancelled');
  for (const n of [1, 2]) expect((await h.waitForStatus(child(id, n), ['cancelled'])).status).toBe('cancelled');
  gates.open('gate-c1');
  gates.open('gate-c2');
});

test('the continuation told again (a redelivered event) makes no child twice', async () => {
  const id = await submit(['gate-d1', 'gate-d2']);
  await waitFor('both children to run', async () => runs.get(child(id, 1)) === 1 && runs.get(child(id, 2)) === 1);
  const t = await h.task(id);
  const again = { kind: 'continued-as-workflow', taskId: id, type: 'assessment-report', runId: t.runId!, seq: t.lastSeq!, workflow: assessmentReportBatches.name, params: { batches: [{ ids: ['x'], channels: [] }], titles: ['x'] } } as const;
  await publishEvent(h.publisher, again);
  await publishEvent(h.publisher, again);
  gates.open('gate-d1');
  gates.open('gate-d2');
  const parent = await h.waitForStatus(id, ['succeeded', 'failed', 'cancelled']);
  expect(parent.status).toBe('succeeded');
  expect(parent.workflow?.stages[0]).toMatchObject({ total: 2, done: 2 });
  expect(await h.models.Task.countDocuments({ parentId: id })).toBe(2);
  for (const n of [1, 2]) expect(runs.get(child(id, n))).toBe(1);
  expect(parent.logs.filter((l) => l.message.startsWith(`stage ${STAGE} started`))).toHaveLength(1);
});

test("children's ends that overtake their task's continuation (a requeued batch goes behind them) still end it", async () => {
  // The state a requeue leaves: the continuation's batch launched the children, failed before the task's write
  // and went back to the queue behind the ends its children told meanwhile. Built here without the failure:
  // the task running its finished run, its two children stored as succeeded, their ends told before the continuation.
  const id = randomUUID();
  const now = new Date();
  const params = { batchFilters: { ids: ['e1', 'e2'], channels: [] }, output_format: 'csv' };
  await h.models.Task.create({
    _id: id, type: 'assessment-report', title: 'overtaken', owner: 'owner-1', params, status: 'running', progress: 0, attempt: 1, maxAttempts: 1,
    runId: 'run-e', lastSeq: 1, artifacts: [], logs: [], createdAt: now, queuedAt: now, startedAt: now, attempts: [{ attempt: 1, startedAt: now }],
  });
  const file = (b: string) => ({ name: `report-${b}.csv`, key: `k/${id}/${b}`, size: 9, contentType: 'text/csv' });
  for (const [n, b] of [[1, 'e1'], [2, 'e2']] as const) {
    await h.models.Task.create({
      _id: child(id, n), type: 'assessment-report', title: `batch ${b}`, owner: 'owner-1', params: { batchFilters: { ids: [b], channels: [] }, output_format: 'csv' },
      status: 'succeeded', progress: 100, attempt: 1, maxAttempts: 1, artifacts: [file(b)], logs: [], createdAt: now, queuedAt: now, parentId: id,
      stage: { workflowId: id, stage: STAGE, kind: 'fan-out', item: n - 1 },
    });
    await publishEvent(h.publisher, {
      kind: 'child-finished', taskId: id, type: 'assessment-report', childId: child(id, n), childStatus: 'succeeded', artifacts: [file(b)],
      stage: { workflowId: id, stage: STAGE, kind: 'fan-out', item: n - 1 }, result: { batchId: b },
    });
  }
  const batches = ['e1', 'e2'].map((b) => ({ ids: [b], channels: [] }));
  await publishEvent(h.publisher, {
    kind: 'continued-as-workflow', taskId: id, type: 'assessment-report', runId: 'run-e', seq: 2, workflow: assessmentReportBatches.name,
    params: { ...params, batches, titles: ['batch e1', 'batch e2'] }, result: { fannedOut: 2 },
  });
  const parent = await h.waitForStatus(id, ['succeeded', 'failed', 'cancelled'], 20_000);
  expect(parent).toMatchObject({ status: 'succeeded', result: { fannedOut: 2 } });
  expect(parent.workflow?.stages[0]).toMatchObject({ state: 'succeeded', total: 2, done: 2 });
  expect(parent.artifacts.map((a) => a.name).sort()).toEqual(['report-e1.csv', 'report-e2.csv']);
  // Nothing ran again, and what was kept for the continuation goes once it is written (deleted just after the write).
  expect(runs.get(child(id, 1))).toBeUndefined();
  await waitFor('the kept ends to be dropped', async () => (await h.db.collection('workflow_early_events').countDocuments({ parent: id } as never)) === 0, { timeoutMs: 10_000 });
});
