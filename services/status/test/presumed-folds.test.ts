import { randomUUID } from 'node:crypto';
import { diagnosticWorker } from '@taskyard/diagnostic/src/diagnostic-handler';
import { publishEvent, publishTask } from '@taskyard/messaging';
import { firstMessageOf, takeSlot, taskMessageOf, type TaskRecord } from '@taskyard/tasks';
import { waitFor } from '@taskyard/testing';
import { DEFAULT_START_DELAY_MS } from '@taskyard/worker';
import { assessmentReportBatches } from '@taskyard/contracts';
import { FOLD_WRITE_FIELD } from '../src/fold-write-batcher';
import { startHarness, type Harness } from './lifecycle-harness';

// A fresh first attempt's run carries its task as inserted: the status service folds it without reading
// the task, and writes only if the stored task still is as inserted. What it wrote last of an unfinished task
// it remembers: the run's next events are folded without a read too, written only if the task still holds it.
let h: Harness;

/**
 * The workers of this file run on the test's own clock: no clock margin, so a task submitted right after a
 * worker starts runs without the worker's read of it (CancelWatch), as on a long-running worker. With the
 * margin, that read met a database deadline under load (FerretDB stalled 17 s: 'operation exceeded time
 * limit'), the worker requeued the message, and its redelivery carried no task as inserted: the status
 * service then read the task, which these tests count.
 */
const ONE_CLOCK = { clockMarginMs: 0 };

beforeAll(async () => {
  h = await startHarness('presumed-folds', { unfinishedPerOwner: 3 });
});
afterAll(async () => h?.close());

const counter = async (name: 'reads' | 'presumedMisses' | 'writtenMisses'): Promise<number> => (await h.status[0].metrics[name].get()).values[0]?.value ?? 0;

async function foldedEvents(kind: string): Promise<number> {
  const { values } = await h.status[0].metrics.events.get();
  return values.find((v) => v.labels.kind === kind && v.labels.applied === 'true')?.value ?? 0;
}

async function finishedCount(type: string, status: string): Promise<number> {
  const { values } = await h.status[0].metrics.finished.get();
  return values.find((v) => v.labels.type === type && v.labels.status === status)?.value ?? 0;
}

/** Stores a queued task holding one of its owner's slots (as the gateway inserts it); not published. */
async function storeHolding(type: string, params: Record<string, unknown>) {
  const id = randomUUID();
  const slotId = (await takeSlot(h.models.Slot, 'owner-1', type, 3, id))!;
  const now = new Date();
  const record = { _id: id, type, title: 't', owner: 'owner-1', params, maxAttempts: 1, createdAt: now, slotId };
  await h.models.Task.collection.insertOne({ ...record, status: 'queued', progress: 0, attempt: 0, artifacts: [], logs: [], queuedAt: now } as never);
  return record;
}

/** Stores a queued task holding one of its owner's slots and publishes its message (with or without what the record adds). */
async function submitHolding(type: string, params: Record<string, unknown>, withInserted = true): Promise<{ id: string; slotId: string }> {
  const record = await storeHolding(type, params);
  await publishTask(h.publisher, withInserted ? firstMessageOf(record) : taskMessageOf(record, 1));
  return { id: record._id, slotId: record.slotId };
}

/** What a fold leaves on a task, without what differs from task to task (ids, times, the second in the list keys). */
function shape(t: TaskRecord): Record<string, unknown> {
  return {
    fields: Object.keys(t).sort(),
    status: t.status,
    attempt: t.attempt,
    progress: t.progress,
    artifacts: t.artifacts.length,
    attempts: t.attempts?.map((a) => ({ attempt: a.attempt, outcome: a.outcome, ended: a.endedAt !== undefined })),
    lk: t.lk?.map((k) => k.replace(/[0-9a-f-]{36}|\d{6,}/g, '#')),
    durationMs: typeof t.durationMs,
  };
}

test("a fresh first attempt is folded without a read of its task, into the same task a read fold makes; its slot is freed", async () => {
  // Its start rides on its outcome whatever the machine's load: the worker holds `started` (and sends no heartbeat) for a minute.
  const worker = await h.startWorker(diagnosticWorker, { ...ONE_CLOCK, startDelayMs: 60_000, heartbeatMs: 60_000 });
  const startsAlone = await foldedEvents('started');
  const reads = await counter('reads');
  const fast = await submitHolding('diagnostic', { artifactBytes: 10 });
  const done = await h.waitForStatus(fast.id, ['succeeded']);
  expect(await counter('reads')).toBe(reads);
  await waitFor('its slot to be freed', async () => (await h.models.Slot.findById(fast.slotId).lean()) === null);

  // The same job from a message without the record's fields (as before): read, then folded.
  const slow = await submitHolding('diagnostic', { artifactBytes: 10 }, false);
  const read = await h.waitForStatus(slow.id, ['succeeded']);
  expect(await counter('reads')).toBe(reads + 1);
  expect(shape(done)).toEqual(shape(read));
  expect(done.startedAt).toBeInstanceOf(Date);
  expect(done.finishedAt!.getTime()).toBeGreaterThanOrEqual(done.startedAt!.getTime());
  await waitFor('the other slot to be freed', async () => (await h.models.Slot.findById(slow.slotId).lean()) === null);
  expect(await foldedEvents('started')).toBe(startsAlone);
  await worker.stop(5_000);
});

test('a long job, its start sent alone and heartbeats between, is folded to its end without a read of its task', async () => {
  // The job outlasts the start delay and two heartbeats: `started`, then heartbeats, then the outcome, each its own event.
  const worker = await h.startWorker(diagnosticWorker, { ...ONE_CLOCK, heartbeatMs: 400 });
  const startsAlone = await foldedEvents('started');
  const heartbeats = await foldedEvents('heartbeat');
  const reads = await counter('reads');
  const misses = await counter('writtenMisses');
  const { id, slotId } = await submitHolding('diagnostic', { sleepMs: DEFAULT_START_DELAY_MS + 1000 });
  const done = await h.waitForStatus(id, ['succeeded']);
  expect(await foldedEvents('started')).toBe(startsAlone + 1);
  expect(await foldedEvents('heartbeat')).toBeGreaterThan(heartbeats);
  expect(await counter('reads')).toBe(reads);
  expect(await counter('writtenMisses')).toBe(misses);
  expect(done.attempts).toEqual([expect.objectContaining({ attempt: 1, outcome: 'succeeded' })]);
  expect(done.durationMs).toBeGreaterThanOrEqual(1000);
  await waitFor('its slot to be freed', async () => (await h.models.Slot.findById(slotId).lean()) === null);
  await worker.stop(5_000);
});

test('a remembered task the stored one moved on from (a write this process did not make) is read and folded again, right', async () => {
  // No worker: the test is the run. Its start is folded (as inserted) and remembered; then the stored task is
  // written behind the status service's back (as another replica holding the partition meanwhile would).
  const record = await storeHolding('diagnostic', {});
  const msg = firstMessageOf(record);
  const run = { taskId: record._id, type: 'diagnostic', attempt: 1, runId: randomUUID() };
  await publishEvent(h.publisher, {
    ...run, kind: 'started', seq: 1, workerId: 'w', at: new Date().toISOString(),
    inserted: { owner: msg.owner, title: msg.title, createdAt: msg.createdAt, maxAttempts: msg.maxAttempts, slotId: record.slotId },
  });
  const running = await h.waitForStatus(record._id, ['running']);
  const stored = (running as unknown as Record<string, unknown>)[FOLD_WRITE_FIELD];
  expect(stored).toEqual(expect.any(String));
  await h.models.Task.collection.updateOne({ _id: record._id } as never, { $set: { progress: 40, [FOLD_WRITE_FIELD]: 'elsewhere' } });
  const reads = await counter('reads');
  const misses = await counter('writtenMisses');
  await publishEvent(h.publisher, { ...run, kind: 'succeeded', seq: 2, artifacts: [] });
  const done = await h.waitForStatus(record._id, ['succeeded']);
  expect(await counter('writtenMisses')).toBe(misses + 1);
  expect(await counter('reads')).toBe(reads + 1);
  expect(done.attempts).toEqual([expect.objectContaining({ attempt: 1, outcome: 'succeeded' })]);
  expect(done.progress).toBe(100);
  await waitFor('its slot to be freed', async () => (await h.models.Slot.findById(record.slotId).lean()) === null);
});

test('a run reporting on a task no longer as inserted (cancelled while queued) changes nothing: one terminal state', async () => {
  // spelling-report has no worker here: the task stays queued until cancelled.
  const { id, slotId } = await submitHolding('spelling-report', {});
  await publishEvent(h.publisher, { kind: 'cancel-requested', taskId: id, type: 'spelling-report', requestedBy: 'owner-1' });
  const cancelled = await h.waitForStatus(id, ['cancelled']);
  const misses = await counter('presumedMisses');
  const reads = await counter('reads');
  // A worker that took the message before the cancel reports a fast success, its start and the task as inserted inside.
  const msg = firstMessageOf({ ...cancelled, slotId });
  await publishEvent(h.publisher, {
    kind: 'succeeded', taskId: id, type: 'spelling-report', attempt: 1, runId: randomUUID(), seq: 1, artifacts: [],
    started: { workerId: 'w', at: new Date().toISOString() },
    inserted: { owner: msg.owner, title: msg.title, createdAt: msg.createdAt, maxAttempts: msg.maxAttempts, slotId },
  });
  await waitFor('the presumed fold to miss', async () => (await counter('presumedMisses')) === misses + 1);
  expect(await counter('reads')).toBe(reads + 1);
  const after = await h.task(id);
  expect(after.status).toBe('cancelled');
  expect(after.finishedAt).toEqual(cancelled.finishedAt);
  expect(after.attempts ?? []).toEqual(cancelled.attempts ?? []);
  expect(await finishedCount('spelling-report', 'succeeded')).toBe(0);
  expect(await finishedCount('spelling-report', 'cancelled')).toBe(1);
});

test("a run that continued as a workflow on a task cancelled meanwhile starts nothing: no child is inserted under it", async () => {
  // assessment-report has no worker here: the task stays queued until cancelled.
  const { id, slotId } = await submitHolding('assessment-report', {});
  await publishEvent(h.publisher, { kind: 'cancel-requested', taskId: id, type: 'assessment-report', requestedBy: 'owner-1' });
  const cancelled = await h.waitForStatus(id, ['cancelled']);
  // A worker that took the message before the cancel: its start (the task as inserted inside), then its continuation.
  const msg = firstMessageOf({ ...cancelled, slotId });
  const runId = randomUUID();
  const base = { taskId: id, type: 'assessment-report', attempt: 1, runId };
  await publishEvent(h.publisher, {
    ...base, kind: 'started', seq: 1, workerId: 'w',
    inserted: { owner: msg.owner, title: msg.title, createdAt: msg.createdAt, maxAttempts: msg.maxAttempts, slotId },
  });
  await publishEvent(h.publisher, { ...base, kind: 'continued-as-workflow', seq: 2, workflow: assessmentReportBatches.name, params: { batches: [{ ids: ['x'], channels: [] }], titles: ['x'] } });
  const folded = async (): Promise<number> => (await h.status[0].metrics.events.get()).values.find((v) => v.labels.kind === 'continued-as-workflow')?.value ?? 0;
  await waitFor('the continuation to be folded', async () => (await folded()) === 1);
  expect((await h.task(id)).status).toBe('cancelled');
  expect(await h.models.Task.find({ parentId: id }, { _id: 1 }).lean()).toEqual([]);
});
