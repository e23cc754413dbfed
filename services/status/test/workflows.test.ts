import { randomUUID } from 'node:crypto';
import { fanOutChildId, stageTaskId, type StageRef, type WorkflowDefinition } from '@taskyard/contracts';
import { createLogger } from '@taskyard/logging';
import { publishEvent } from '@taskyard/messaging';
import { ListMarks, Outbox, type TaskRecord } from '@taskyard/tasks';
import { waitFor } from '@taskyard/testing';
import { PermanentJobError, defineWorker } from '@taskyard/worker';
import { startWorkflow, workflowModels, type LaunchDeps } from '@taskyard/workflows';
import { startHarness, type Harness } from './lifecycle-harness';
import { Gates } from './test-gates';

let h: Harness;
let deps: LaunchDeps & { marks: ListMarks };
/** Handler runs per task id: every stage and child must run exactly once. */
const runs = new Map<string, number>();
/** Stage tasks that wait for the test before they finish. */
const gates = new Gates();
/** A fan-out child told to fail once (`params.failOnceAt` = its `n`): its first run waits for the gate `failOnceKey`, then fails for good. */
const failedOnce = new Set<string>();

/** One worker for every stage of these tests, acting on its stage's name. */
const stageWorker = defineWorker<Record<string, unknown>>({
  type: 'diagnostic',
  concurrency: 32,
  async handler(ctx) {
    runs.set(ctx.task.id, (runs.get(ctx.task.id) ?? 0) + 1);
    const p = ctx.task.params;
    const stage = ctx.task.stage;
    if (typeof p.gate === 'string') await gates.wait(p.gate);
    switch (stage?.stage) {
      case 'list':
        return { result: { items: Array.from({ length: Number(p.count) }, (_, i) => i + 1), unit: 'pt' } };
      case 'double': {
        const once = `${String(p.failOnceKey)}:${String(p.n)}`;
        if (p.failOnceAt === p.n && !failedOnce.has(once)) {
          failedOnce.add(once);
          await gates.wait(String(p.failOnceKey));
          throw new PermanentJobError('bad-item', `item ${String(p.n)} failed once`);
        }
        const ref = await ctx.artifacts.write(`part-${p.n}.txt`, String(Number(p.n) * 2), 'text/plain');
        return { result: { value: Number(p.n) * 2, unit: p.unit, key: ref.key } };
      }
      case 'sum': {
        let sum = 0;
        let n = 0;
        for await (const out of ctx.stageResults()) {
          sum += Number(out.result?.value);
          n++;
        }
        await ctx.artifacts.write('sum.txt', `${sum} ${String(p.unit)}`, 'text/plain');
        return { result: { sum, n } };
      }
      case 'receive':
        return { result: { checkCode: p.checkCode, schoolId: 's1' } };
      case 'boom':
        throw new PermanentJobError('bad-check', `check ${String(p.checkCode)} is not valid`);
      case 'tell':
        return { result: { told: stage.failure } };
      default:
        return { result: { x: Number(p.x ?? 0) + 1, seen: [...((p.seen as string[]) ?? []), stage?.stage ?? 'none'] } };
    }
  },
});

beforeAll(async () => {
  h = await startHarness('workflows', { timeoutMs: 20_000, maxAttempts: 2, backoffMs: [100] });
  deps = { models: h.models, workflowModels: workflowModels(h.db), publisher: h.publisher, jobTypes: h.types, logger: createLogger('test'), marks: new ListMarks(h.models.ListMark), outbox: new Outbox(h.models.Outbox) };
  await h.startWorker(stageWorker);
});
afterAll(async () => h?.close());

async function run(definition: WorkflowDefinition, params: Record<string, unknown>): Promise<string> {
  const id = randomUUID();
  await startWorkflow(deps, { id, owner: 'owner-1', definition, params });
  return id;
}

const chain: WorkflowDefinition = {
  name: 'abc',
  stages: [
    { name: 'a', type: 'diagnostic' },
    { name: 'b', type: 'diagnostic', pass: ['x', 'seen'] },
    { name: 'c', type: 'diagnostic', pass: ['x', 'seen'], params: { fixed: true } },
  ],
};

test('a chain runs A then B then C, each once, each receiving the result before it', async () => {
  const id = await run(chain, { x: 10, ignored: 'kept out by nobody: a has no pass' });
  const wf = await h.waitForStatus(id, ['succeeded', 'failed', 'cancelled']);
  expect(wf.status).toBe('succeeded');
  expect(wf.progress).toBe(100);
  expect(wf.result).toEqual({ x: 13, seen: ['a', 'b', 'c'] });
  expect(wf.workflow!.stages.map((s) => s.state)).toEqual(['succeeded', 'succeeded', 'succeeded']);
  const c = await h.task(stageTaskId(id, 'c'));
  expect(c.params).toEqual({ fixed: true, x: 12, seen: ['a', 'b'] });
  expect(c.parentId).toBe(id);
  for (const s of ['a', 'b', 'c']) expect(runs.get(stageTaskId(id, s))).toBe(1);
  expect(wf.logs.map((l) => l.message)).toEqual([
    'stage a started (diagnostic)', 'stage a succeeded', 'stage b started (diagnostic)', 'stage b succeeded',
    'stage c started (diagnostic)', 'stage c succeeded', 'workflow succeeded',
  ]);
});

const sumOfDoubles: WorkflowDefinition = {
  name: 'sum-of-doubles',
  stages: [
    { name: 'list', type: 'diagnostic' },
    { name: 'double', type: 'diagnostic', kind: 'fan-out', items: 'items', itemParam: 'n' },
    { name: 'sum', type: 'diagnostic', kind: 'fan-in' },
  ],
};

test('a fan-out makes one child per item and the fan-in runs once over all their outputs', async () => {
  const id = await run(sumOfDoubles, { count: 60 });
  const wf = await h.waitForStatus(id, ['succeeded', 'failed', 'cancelled'], 170_000);
  expect(wf.status).toBe('succeeded');
  expect(wf.result).toEqual({ sum: 60 * 61, n: 60 });
  expect(wf.workflow!.stages[1]).toMatchObject({ state: 'succeeded', total: 60, done: 60 });
  expect(wf.artifacts.map((a) => a.name)).toEqual(['sum.txt']);
  expect(runs.get(stageTaskId(id, 'sum'))).toBe(1);
  for (let n = 1; n <= 60; n++) expect(runs.get(fanOutChildId(id, 'double', n))).toBe(1);
  const child = await h.task(fanOutChildId(id, 'double', 7));
  expect(child.params).toEqual({ unit: 'pt', n: 7 });
  expect(await h.models.Task.countDocuments({ parentId: id })).toBe(62);
}, 180_000);

test('a fan-out with nothing after it ends the workflow listing every child\'s artifacts', async () => {
  const id = await run({ name: 'parts', stages: [{ name: 'double', type: 'diagnostic', kind: 'fan-out', items: 'ns', itemParam: 'n' }] }, { ns: [1, 2, 3] });
  const wf = await h.waitForStatus(id, ['succeeded', 'failed', 'cancelled']);
  expect(wf.status).toBe('succeeded');
  expect(wf.artifacts.map((a) => a.name).sort()).toEqual(['part-1.txt', 'part-2.txt', 'part-3.txt']);
});

test('a stage failing for good runs the on-failure stage once, with what the failed stage received; the workflow fails', async () => {
  const id = await run(
    { name: 'checks', stages: [{ name: 'receive', type: 'diagnostic' }, { name: 'boom', type: 'diagnostic' }, { name: 'never', type: 'diagnostic' }], onFailure: { name: 'tell', type: 'diagnostic', params: { to: 'teacher' } } },
    { checkCode: 'ABC' },
  );
  const wf = await h.waitForStatus(id, ['succeeded', 'failed', 'cancelled']);
  expect(wf.status).toBe('failed');
  expect(wf.error).toEqual({ code: 'stage-failed', message: 'stage boom failed: check ABC is not valid' });
  expect(wf.workflow!.stages.map((s) => s.state)).toEqual(['succeeded', 'failed', 'waiting']);
  expect(wf.workflow!.onFailure).toMatchObject({ name: 'tell', state: 'succeeded' });
  const tell = await h.task(stageTaskId(id, 'tell'));
  expect(tell.params).toEqual({ to: 'teacher', checkCode: 'ABC', schoolId: 's1' });
  expect(tell.result).toEqual({ told: { stage: 'boom', error: { code: 'bad-check', message: 'check ABC is not valid' } } });
  expect(await h.models.Task.findById(stageTaskId(id, 'never')).lean()).toBeNull();
  expect(runs.get(stageTaskId(id, 'boom'))).toBe(1);
});

test('a fan-out over something that is not an array fails its stage with a clear error', async () => {
  const id = await run({ name: 'bad-items', stages: [{ name: 'double', type: 'diagnostic', kind: 'fan-out', items: 'ns', itemParam: 'n' }] }, { ns: 'oops' });
  const wf = await h.waitForStatus(id, ['succeeded', 'failed', 'cancelled']);
  expect(wf.error).toEqual({ code: 'stage-failed', message: 'stage double failed: stage "double" fans out over "ns", which it did not receive as an array' });
});

test('a retried fan-out runs only the children that did not succeed; the fan-in reads every output once', async () => {
  const key = randomUUID();
  const failOnce = { name: 'fail-once', stages: [sumOfDoubles.stages[0], { ...sumOfDoubles.stages[1], params: { failOnceAt: 4, failOnceKey: key } }, sumOfDoubles.stages[2]] } as WorkflowDefinition;
  const id = await run(failOnce, { count: 8 });
  // Child 4 fails only once the 7 others have succeeded (their outputs stored): those are kept by the retry.
  await waitFor('the other children to succeed', async () => (await deps.workflowModels.StageOutput.countDocuments({ ws: `${id}/double` })) === 7, { timeoutMs: 30_000 });
  gates.open(key);
  expect((await h.waitForStatus(id, ['succeeded', 'failed', 'cancelled'])).status).toBe('failed');
  const list = await h.task(stageTaskId(id, 'list'));
  const retry = `${id}-retry`;
  const start = () => startWorkflow(deps, { id: retry, owner: 'owner-1', definition: failOnce, params: list.result!, retry: { workflowId: id, fromStage: 'double' } });
  await start();
  const wf = await h.waitForStatus(retry, ['succeeded', 'failed', 'cancelled']);
  // Started again (a repeated retry request): the copies are duplicate inserts, nothing runs again.
  await start();
  expect(wf.status).toBe('succeeded');
  expect(wf.result).toEqual({ sum: 8 * 9, n: 8 });
  expect(wf.workflow!.stages.map((s) => s.state)).toEqual(['skipped', 'succeeded', 'succeeded']);
  // Only child 4 ran again, once; the 7 others' outputs were copied.
  expect(Array.from({ length: 8 }, (_, i) => fanOutChildId(retry, 'double', i + 1)).filter((c) => runs.has(c))).toEqual([fanOutChildId(retry, 'double', 4)]);
  expect(runs.get(fanOutChildId(retry, 'double', 4))).toBe(1);
  expect(await h.models.Task.countDocuments({ parentId: retry })).toBe(2);
  expect(await deps.workflowModels.StageOutput.countDocuments({ ws: `${retry}/double` })).toBe(8);
  expect(runs.get(stageTaskId(retry, 'sum'))).toBe(1);
});

/** The event a stage's fold sends its workflow, sent by hand: a duplicate of a success. */
function childSucceeded(workflowId: string, childId: string, stage: StageRef, result: Record<string, unknown>): Promise<void> {
  return publishEvent(h.publisher, { kind: 'child-finished', taskId: workflowId, type: 'diagnostic', childId, childStatus: 'succeeded', artifacts: [], stage, result });
}

test('a stage\'s success told three times (before its own) starts the next stage once', async () => {
  const g = `g-${randomUUID()}`;
  const id = await run({ name: 'dup', stages: [{ name: 'a', type: 'diagnostic', params: { gate: g } }, { name: 'b', type: 'diagnostic', pass: ['x'] }] }, {});
  await waitFor('stage a to run', async () => runs.get(stageTaskId(id, 'a')) === 1);
  const ref: StageRef = { workflowId: id, stage: 'a', kind: 'task' };
  await Promise.all([1, 2, 3].map(() => childSucceeded(id, stageTaskId(id, 'a'), ref, { x: 41 })));
  await waitFor('stage b to run', async () => runs.get(stageTaskId(id, 'b')) === 1);
  gates.open(g);
  const wf = await h.waitForStatus(id, ['succeeded', 'failed', 'cancelled']);
  expect(wf.status).toBe('succeeded');
  expect(wf.result).toMatchObject({ x: 42 });
  await h.waitForStatus(stageTaskId(id, 'a'), ['succeeded']);
  expect(runs.get(stageTaskId(id, 'b'))).toBe(1);
  expect(wf.logs.filter((l) => l.message === 'stage b started (diagnostic)')).toHaveLength(1);
});

test('every child\'s success told twice completes the fan-in exactly once', async () => {
  const g = `g-${randomUUID()}`;
  const id = await run({ ...sumOfDoubles, stages: [sumOfDoubles.stages[0], { ...sumOfDoubles.stages[1], params: { gate: g } }, sumOfDoubles.stages[2]] }, { count: 20 });
  await waitFor('the children to run', async () => runs.get(fanOutChildId(id, 'double', 20)) === 1, { timeoutMs: 30_000 });
  const tells = Array.from({ length: 20 }, (_, i) => {
    const ref: StageRef = { workflowId: id, stage: 'double', kind: 'fan-out', item: i };
    return () => childSucceeded(id, fanOutChildId(id, 'double', i + 1), ref, { value: (i + 1) * 2 });
  });
  await Promise.all([...tells, ...tells].map((t) => t()));
  await waitFor('the fan-in to run', async () => runs.get(stageTaskId(id, 'sum')) === 1, { timeoutMs: 30_000 });
  gates.open(g);
  const wf = await h.waitForStatus(id, ['succeeded', 'failed', 'cancelled']);
  expect(wf.result).toEqual({ sum: 20 * 21, n: 20 });
  expect(await deps.workflowModels.StageOutput.countDocuments({ ws: `${id}/double` })).toBe(20);
  await waitFor('every child to finish', async () => (await h.task(fanOutChildId(id, 'double', 20))).status === 'succeeded');
  expect(runs.get(stageTaskId(id, 'sum'))).toBe(1);
});

test('cancelling a workflow cancels every running stage task, fan-out children included', async () => {
  const g = `g-${randomUUID()}`;
  const id = await run({ ...sumOfDoubles, stages: [sumOfDoubles.stages[0], { ...sumOfDoubles.stages[1], params: { gate: g } }, sumOfDoubles.stages[2]] }, { count: 5 });
  await waitFor('the children to run', async () => runs.get(fanOutChildId(id, 'double', 5)) === 1, { timeoutMs: 30_000 });
  await publishEvent(h.publisher, { kind: 'cancel-requested', taskId: id, type: 'workflow', requestedBy: 'owner-1' });
  const wf = await h.waitForStatus(id, ['succeeded', 'failed', 'cancelled']);
  expect(wf.status).toBe('cancelled');
  expect(wf.workflow!.stages.map((s) => s.state)).toEqual(['succeeded', 'cancelled', 'waiting']);
  for (let n = 1; n <= 5; n++) expect((await h.waitForStatus(fanOutChildId(id, 'double', n), ['cancelled'])).status).toBe('cancelled');
  gates.open(g);
  expect(await h.models.Task.findById(stageTaskId(id, 'sum')).lean<TaskRecord>()).toBeNull();
});
