import { randomUUID } from 'node:crypto';
import { fanOutChildId, stageTaskId, type WorkflowDefinition } from '@taskyard/contracts';
import { createLogger } from '@taskyard/logging';
import { publishRetry } from '@taskyard/messaging';
import { ListMarks, Outbox, runClaimModel, taskMessageOf } from '@taskyard/tasks';
import { defineWorker } from '@taskyard/worker';
import { startWorkflow, workflowModels, type LaunchDeps } from '@taskyard/workflows';
import { startHarness, type Harness } from './lifecycle-harness';

// A stage launched twice while its first message still waits (a status service restarted mid-launch, a
// repeated retry request) republishes it: two messages for one attempt. The worker runs one of them.
let h: Harness;
let deps: LaunchDeps & { marks: ListMarks };
const runs = new Map<string, number>();

const countingWorker = defineWorker<Record<string, unknown>>({
  type: 'diagnostic',
  concurrency: 8,
  async handler(ctx) {
    runs.set(ctx.task.id, (runs.get(ctx.task.id) ?? 0) + 1);
    return { result: { n: ctx.task.params.n ?? 0 } };
  },
});

beforeAll(async () => {
  h = await startHarness('stage-runs-once', { timeoutMs: 20_000, maxAttempts: 2, backoffMs: [100] });
  deps = { models: h.models, workflowModels: workflowModels(h.db), publisher: h.publisher, jobTypes: h.types, logger: createLogger('test'), marks: new ListMarks(h.models.ListMark), outbox: new Outbox(h.models.Outbox) };
});
afterAll(async () => h?.close());

let started: Promise<unknown> | undefined;
/** The worker, started once (the first test starts it only after its messages are all queued). */
const workerRunning = (): Promise<unknown> => (started ??= h.startWorker(countingWorker));

const chain: WorkflowDefinition = { name: 'two', stages: [{ name: 'a', type: 'diagnostic' }, { name: 'b', type: 'diagnostic' }] };
const fanOut: WorkflowDefinition = { name: 'spread', stages: [{ name: 'each', type: 'diagnostic', kind: 'fan-out', items: 'ns', itemParam: 'n' }] };

test('a stage (and each fan-out child) launched twice while its first message waits runs once; a plain task takes no claim', async () => {
  const a = randomUUID();
  const f = randomUUID();
  // No worker yet: every message waits in its queue. Each launch is made twice (the second finds the tasks queued and republishes them).
  for (let i = 0; i < 2; i++) {
    await startWorkflow(deps, { id: a, owner: 'owner-1', definition: chain, params: {} });
    await startWorkflow(deps, { id: f, owner: 'owner-1', definition: fanOut, params: { ns: [1, 2, 3, 4, 5] } });
  }
  await workerRunning();
  expect((await h.waitForStatus(a, ['succeeded', 'failed'])).status).toBe('succeeded');
  expect((await h.waitForStatus(f, ['succeeded', 'failed'])).status).toBe('succeeded');
  expect(runs.get(stageTaskId(a, 'a'))).toBe(1);
  expect(runs.get(stageTaskId(a, 'b'))).toBe(1);
  for (let n = 1; n <= 5; n++) expect(runs.get(fanOutChildId(f, 'each', n))).toBe(1);

  // A plain submitted task (published once) pays no claim: nothing is written for it besides its events.
  const claims = runClaimModel(h.db);
  const before = await claims.countDocuments({});
  const plain = await h.submit('diagnostic', { n: 7 });
  expect((await h.waitForStatus(plain, ['succeeded'])).status).toBe('succeeded');
  expect(runs.get(plain)).toBe(1);
  expect(await claims.countDocuments({})).toBe(before);
  expect(await claims.findById(`${plain}:1`).lean()).toBeNull();
  expect(await claims.findById(`${stageTaskId(a, 'b')}:1`).lean()).not.toBeNull();
});

test('the next attempt after a lost heartbeat, published twice (a redelivered timer batch), runs once', async () => {
  const id = randomUUID();
  const now = new Date();
  // The task as the heartbeat-lost fold leaves it: attempt 1 written off, the next one on its way.
  const task = { _id: id, type: 'diagnostic', title: 'lost run', owner: 'owner-1', params: { n: 2 }, status: 'retrying', progress: 0, attempt: 1, maxAttempts: 2, artifacts: [], logs: [], createdAt: now, queuedAt: now };
  await h.models.Task.create(task);
  await workerRunning();
  const next = taskMessageOf(task, 2);
  // As recoverLostRun publishes it: marked to be claimed.
  await Promise.all([1, 2].map(() => publishRetry(h.publisher, next, 100, { claimRun: true })));
  expect((await h.waitForStatus(id, ['succeeded', 'failed'])).status).toBe('succeeded');
  expect(runs.get(id)).toBe(1);
});
