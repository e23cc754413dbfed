import { randomUUID } from 'node:crypto';
import { diagnosticWorker } from '@taskyard/diagnostic/src/diagnostic-handler';
import { createLogger } from '@taskyard/logging';
import { startWorkflow, workflowModels } from '@taskyard/workflows';
import { ListMarks, Outbox, ALL_SCOPE, GRANULARITY, blockKey, ownerScope, periodBlockKey, periodOf, statsWindow, taskStatsModel, type TaskStatsRecord } from '@taskyard/tasks';
import { explainFind, waitFor } from '@taskyard/testing';
import { startHarness, type Harness } from './lifecycle-harness';

let h: Harness;

beforeAll(async () => {
  h = await startHarness('task-stats', { backoffMs: [200], maxAttempts: 2 }, { status: { statsFlushMs: 200 } });
  await h.startWorker(diagnosticWorker);
});
afterAll(async () => h?.close());

/** Every writer's documents of a block summed for one type (what the gateway's overview reads). */
async function typeCounts(scope: string, type: string): Promise<Record<string, number>> {
  const model = taskStatsModel(h.db);
  const docs: TaskStatsRecord[] = [];
  for (const b of statsWindow('m', Date.now(), 2).blocks) docs.push(...((await model.find({ b: blockKey('m', b, scope) }).lean()) as TaskStatsRecord[]));
  const sum: Record<string, number> = {};
  for (const d of docs) for (const k of ['started', 'succeeded', 'failed', 'retried'] as const) sum[k] = (sum[k] ?? 0) + (d.t[type]?.[k] ?? 0);
  return sum;
}

/**
 * The hour's documents of a scope once `count` failures of `reason` are in them. A flush writes the minute
 * and hour documents in one bulkWrite, which FerretDB applies a statement at a time: a read just after the
 * minute counts showed can come before the hour's statement (failed so in a CI run under load 25).
 */
async function hourDocsOnceCounted(scope: string, type: string, reason: string, count: number): Promise<TaskStatsRecord[]> {
  return waitFor(`the hour's ${count} ${reason} of ${type} flushed`, async () => {
    const docs = (await taskStatsModel(h.db).find({ b: periodBlockKey('h', periodOf('h', Date.now()), scope) }).lean()) as TaskStatsRecord[];
    const counted = docs.reduce((n, d) => n + (d.t[type]?.reasons?.[reason] ?? 0), 0);
    return counted >= count ? docs : undefined;
  });
}

test('the status service counts starts, successes, failures and retries per minute, for everyone and per owner', async () => {
  const ok = await h.submit('diagnostic', {}, 'stats-owner-a');
  const bad = await h.submit('diagnostic', { failAttempts: 5 }, 'stats-owner-b');
  await h.waitForStatus(ok, ['succeeded']);
  const failed = await h.waitForStatus(bad, ['failed']);
  // Attempt 1 failed and was retried, attempt 2 failed for good: the task's timeline says so.
  expect(failed.attempts?.map((a) => [a.attempt, a.outcome, a.error?.code, Boolean(a.retryAt)])).toEqual([
    [1, 'failed', 'diagnostic-failure', true],
    [2, 'failed', 'diagnostic-failure', false],
  ]);
  const all = await waitFor('the counts flushed', async () => {
    const c = await typeCounts(ALL_SCOPE, 'diagnostic');
    return c.succeeded === 1 && c.failed === 1 ? c : undefined;
  });
  expect(all).toEqual({ started: 3, succeeded: 1, failed: 1, retried: 1 });
  expect(await typeCounts(ownerScope('stats-owner-a'), 'diagnostic')).toEqual({ started: 1, succeeded: 1, failed: 0, retried: 0 });
  expect(await typeCounts(ownerScope('stats-owner-b'), 'diagnostic')).toEqual({ started: 2, succeeded: 0, failed: 1, retried: 1 });

  // The hour documents hold the same, with the reason and a sample message of it.
  const hourDocs = await hourDocsOnceCounted(ALL_SCOPE, 'diagnostic', 'diagnostic-failure', 2);
  const reasons = hourDocs.flatMap((d) => Object.entries(d.t.diagnostic?.reasons ?? {}));
  expect(reasons.reduce((n, [code, count]) => n + (code === 'diagnostic-failure' ? count : 0), 0)).toBe(2);
  expect(hourDocs.some((d) => d.t.diagnostic?.sample?.['diagnostic-failure']?.startsWith('diagnostic failure on attempt'))).toBe(true);
  expect(GRANULARITY.h.perBlock).toBeGreaterThan(0);
});

test('/metrics counts starts, retries, waits, run times, event lag and tasks by status', async () => {
  // The totals by status are read from the flushed documents and kept 10 s: flushed before the first scrape,
  // or a scrape that came before the recorder's own flush (a loaded machine) would keep the older totals.
  await h.status[0].stats.flush();
  const text = (await h.status[0].metrics.text()).body;
  expect(text).toMatch(/taskyard_tasks_started_total\{type="diagnostic"\} [1-9]/);
  expect(text).toMatch(/taskyard_task_retries_total\{type="diagnostic"\} [1-9]/);
  expect(text).toMatch(/taskyard_task_queue_wait_seconds_count\{type="diagnostic"\} [1-9]/);
  expect(text).toMatch(/taskyard_task_run_seconds_count\{type="diagnostic",outcome="failed"\} [1-9]/);
  expect(text).toMatch(/taskyard_status_event_lag_seconds_count [1-9]/);
  expect(text).toMatch(/taskyard_tasks\{type="diagnostic",status="succeeded"\} [1-9]/);
  expect(text).toMatch(/taskyard_tasks\{type="diagnostic",status="failed"\} [1-9]/);
});

test('a workflow parent counts when it ends, succeeded or failed with its reason, beside its stages\' tasks', async () => {
  const deps = { models: h.models, workflowModels: workflowModels(h.db), publisher: h.publisher, jobTypes: h.types, logger: createLogger('test'), marks: new ListMarks(h.models.ListMark), outbox: new Outbox(h.models.Outbox) };
  const stages = [{ name: 'one', type: 'diagnostic' }, { name: 'two', type: 'diagnostic', params: { failAttempts: 5 }, pass: [] }];
  const ok = randomUUID();
  const bad = randomUUID();
  await startWorkflow(deps, { id: ok, owner: 'wf-owner', definition: { name: 'ok', stages: stages.slice(0, 1) }, params: {} });
  await startWorkflow(deps, { id: bad, owner: 'wf-owner', definition: { name: 'bad', stages }, params: {} });
  await h.waitForStatus(ok, ['succeeded']);
  await h.waitForStatus(bad, ['failed']);
  const counts = await waitFor('the workflow counts flushed', async () => {
    const c = await typeCounts(ownerScope('wf-owner'), 'workflow');
    return c.succeeded === 1 && c.failed === 1 ? c : undefined;
  });
  expect(counts).toMatchObject({ succeeded: 1, failed: 1 });
  const hourDocs = await hourDocsOnceCounted(ownerScope('wf-owner'), 'workflow', 'stage-failed', 1);
  expect(hourDocs.some((d) => d.t.workflow?.reasons?.['stage-failed'] === 1)).toBe(true);
  // Each stage's task counts as its own type's, as before.
  expect((await typeCounts(ownerScope('wf-owner'), 'diagnostic')).succeeded).toBe(2);
});

test('the counters are read by an index on the block key, never a scan (among a month of blocks)', async () => {
  const model = taskStatsModel(h.db);
  const history = Array.from({ length: 3000 }, (_, i) => ({ _id: `m|${i}|*|fixture`, b: blockKey('m', 100_000 + Math.floor(i / 3), ALL_SCOPE), p: i, t: { diagnostic: { started: 1 } } }));
  for (let i = 0; i < history.length; i += 1000) await model.collection.insertMany(history.slice(i, i + 1000) as never[]);
  const filter = { b: blockKey('m', 100_500, ALL_SCOPE) };
  expect(await model.collection.countDocuments(filter as never)).toBe(3);
  const plan = await explainFind(h.db, 'task_stats', filter);
  expect({ nodes: plan.nodes, indexed: plan.indexed }).toEqual({ nodes: plan.nodes, indexed: true });
});
