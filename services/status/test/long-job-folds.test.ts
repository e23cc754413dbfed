import { randomUUID } from 'node:crypto';
import { publishEvent } from '@taskyard/messaging';
import { firstMessageOf } from '@taskyard/tasks';
import { waitFor } from '@taskyard/testing';
import { startHarness, type Harness } from './lifecycle-harness';

// A long job (its start folded alone, the task remembered) costs the status service no more than it must after
// its end: the end checks the task document by a read, not a rewrite, and the heartbeat check its start armed,
// which comes back after the job ended, is acked unread by the partition that wrote the end (event-folder.ts, onlyChecksOfEnded);
// any other check is read and decided as before.
let h: Harness;

beforeAll(async () => {
  h = await startHarness('long-job-folds', {});
});
afterAll(async () => h?.close());

const counter = async (name: 'reads' | 'writes'): Promise<number> => (await h.status[0].metrics[name].get()).values[0]?.value ?? 0;
const checksIgnored = async (): Promise<number> =>
  (await h.status[0].metrics.events.get()).values.find((v) => v.labels.kind === 'heartbeat-check' && v.labels.applied === 'false')?.value ?? 0;

/** Stores a queued task as the gateway inserts it (not published) and gives the run's events of it. */
async function storedRun(): Promise<{ taskId: string; runId: string; inserted: { owner: string; title: string; createdAt: string; maxAttempts: number } }> {
  const taskId = randomUUID();
  const createdAt = new Date();
  await h.models.Task.collection.insertOne({ _id: taskId, type: 'diagnostic', title: 't', owner: 'owner-1', params: {}, maxAttempts: 1, createdAt, status: 'queued', progress: 0, attempt: 0, artifacts: [], logs: [], queuedAt: createdAt } as never);
  const msg = firstMessageOf({ _id: taskId, type: 'diagnostic', title: 't', owner: 'owner-1', params: {}, maxAttempts: 1, createdAt });
  return { taskId, runId: randomUUID(), inserted: { owner: msg.owner, title: msg.title, createdAt: msg.createdAt, maxAttempts: msg.maxAttempts } };
}

async function checkFolded(taskId: string, runId: string): Promise<void> {
  const before = await checksIgnored();
  await publishEvent(h.publisher, { kind: 'heartbeat-check', taskId, type: 'diagnostic', runId, at: new Date().toISOString() });
  await waitFor('the heartbeat check to be folded', async () => (await checksIgnored()) > before);
}

const storedWrite = async (taskId: string): Promise<unknown> => (await h.models.Task.collection.findOne({ _id: taskId } as never, { projection: { foldWrite: 1 } }))?.foldWrite;

test("a long job's end leaves its task document as its start wrote it, and its heartbeat check after the end is acked without a read", async () => {
  const { taskId, runId, inserted } = await storedRun();
  const run = { taskId, type: 'diagnostic', attempt: 1, runId };
  await publishEvent(h.publisher, { ...run, kind: 'started', seq: 1, workerId: 'w', at: new Date().toISOString(), inserted });
  await h.waitForStatus(taskId, ['running']);
  const startWrite = await storedWrite(taskId);
  expect(startWrite).toEqual(expect.any(String));
  await publishEvent(h.publisher, { ...run, kind: 'succeeded', seq: 2, artifacts: [], at: new Date().toISOString() });
  await h.waitForStatus(taskId, ['succeeded']);
  expect(await storedWrite(taskId)).toBe(startWrite);
  const reads = await counter('reads');
  await checkFolded(taskId, runId);
  expect(await counter('reads')).toBe(reads);
  expect((await h.task(taskId)).status).toBe('succeeded');
});

test('a check of a task this process did not write is read and decided as before', async () => {
  const { taskId, runId } = await storedRun();
  // Running as another status process (or this one before a restart) wrote it: not remembered here, so read.
  await h.models.Task.collection.updateOne({ _id: taskId } as never, { $set: { status: 'running', attempt: 1, runId, startedAt: new Date(), heartbeatAt: new Date() } });
  const reads = await counter('reads');
  await checkFolded(taskId, runId);
  expect(await counter('reads')).toBe(reads + 1);
  expect((await h.task(taskId)).status).toBe('running');
});
