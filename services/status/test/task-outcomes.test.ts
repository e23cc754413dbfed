import { randomUUID } from 'node:crypto';
import { publishEvent } from '@taskyard/messaging';
import { firstMessageOf, takeSlot, TaskList, type TaskOutcomeRecord, type TaskRecord } from '@taskyard/tasks';
import { waitFor } from '@taskyard/testing';
import { outcomeOf, OUTCOME_WRITE } from '../src/outcome-writes';
import type { FoldTask } from '../src/task-writes';
import { startHarness, type Harness } from './lifecycle-harness';

// A task's end is stored as a document of its own (task-outcome.ts): one unique insert decides its one
// terminal state, the task document is not written at its end, and every read merges the two.
let h: Harness;

beforeAll(async () => {
  h = await startHarness('task-outcomes', { unfinishedPerOwner: 3 });
});
afterAll(async () => h?.close());

async function finishedCount(status: string): Promise<number> {
  const { values } = await h.status[0].metrics.finished.get();
  return values.find((v) => v.labels.type === 'diagnostic' && v.labels.status === status)?.value ?? 0;
}

/** Stores a queued task holding a slot, as the gateway inserts it (not published). */
async function storeQueued(): Promise<{ _id: string; slotId: string; createdAt: Date }> {
  const id = randomUUID();
  const slotId = (await takeSlot(h.models.Slot, 'owner-1', 'diagnostic', 3, id))!;
  const createdAt = new Date();
  const doc = { _id: id, type: 'diagnostic', title: 't', owner: 'owner-1', params: {}, maxAttempts: 1, createdAt, slotId, status: 'queued', progress: 0, attempt: 0, artifacts: [], logs: [], queuedAt: createdAt };
  await h.models.Task.collection.insertOne(doc as never);
  return { _id: id, slotId, createdAt };
}

/** A run's start and success in one event, as a fast job's worker sends them (with the task as inserted). */
async function publishRunEnd(task: { _id: string; slotId: string; createdAt: Date }, runId = randomUUID()): Promise<void> {
  const msg = firstMessageOf({ ...task, type: 'diagnostic', title: 't', owner: 'owner-1', params: {}, maxAttempts: 1 });
  await publishEvent(h.publisher, {
    taskId: task._id, type: 'diagnostic', attempt: 1, runId, kind: 'succeeded', seq: 2, artifacts: [], at: new Date().toISOString(),
    started: { at: new Date().toISOString(), workerId: 'w' },
    inserted: { owner: msg.owner, title: msg.title, createdAt: msg.createdAt, maxAttempts: msg.maxAttempts, slotId: task.slotId },
  });
}

test("a task's end is an outcome of its own: the task document stays as inserted, every read sees the end; a second end changes nothing", async () => {
  const task = await storeQueued();
  const before = await finishedCount('succeeded');
  await publishRunEnd(task);
  const done = await h.waitForStatus(task._id, ['succeeded']);
  expect(done).toMatchObject({ status: 'succeeded', progress: 100, attempt: 1 });
  expect(done.attempts).toEqual([expect.objectContaining({ attempt: 1, outcome: 'succeeded' })]);
  const stored = await h.models.Task.collection.findOne({ _id: task._id } as never);
  expect(stored).toMatchObject({ status: 'queued', attempt: 0 });
  const outcome = (await h.models.Outcome.collection.findOne({ _id: task._id } as never)) as TaskOutcomeRecord | null;
  expect(outcome).toMatchObject({ status: 'succeeded', finishedAt: expect.any(Date) });
  await waitFor('its slot to be freed', async () => (await h.models.Slot.findById(task.slotId).lean()) === null);
  expect(await finishedCount('succeeded')).toBe(before + 1);

  // Another run's end of the same task (a duplicate message that ran too): the end stays the first one.
  await publishRunEnd(task);
  await waitFor('the second end to be folded', async () => ((await h.status[0].metrics.events.get()).values.some((v) => v.labels.kind === 'succeeded' && v.labels.applied === 'false')));
  expect(await h.models.Outcome.collection.findOne({ _id: task._id } as never)).toEqual(outcome);
  expect(await finishedCount('succeeded')).toBe(before + 1);

  // Listed under its end's status, not under the one its document was inserted with.
  const list = new TaskList(h.models.Task, h.models.ListMark, 10_000);
  const ids = async (status: string): Promise<string[]> => (await list.page<TaskRecord>({ owner: 'owner-1', status, limit: 100 })).items.map((t) => t._id);
  expect(await ids('succeeded')).toContain(task._id);
  expect(await ids('queued')).not.toContain(task._id);
});

test("a long job's end (its start folded alone, the task remembered) is an outcome too: its end folded again from a redelivery is not a second end", async () => {
  // broker-cluster.test.ts counted such a task succeeded twice: its end was written in the task document, and
  // the same end folded again (presumed from the event, the remembered tasks dropped) found no outcome.
  const task = await storeQueued();
  const msg = firstMessageOf({ ...task, type: 'diagnostic', title: 't', owner: 'owner-1', params: {}, maxAttempts: 1 });
  const inserted = { owner: msg.owner, title: msg.title, createdAt: msg.createdAt, maxAttempts: msg.maxAttempts, slotId: task.slotId };
  const run = { taskId: task._id, type: 'diagnostic', attempt: 1, runId: randomUUID() };
  const before = await finishedCount('succeeded');
  await publishEvent(h.publisher, { ...run, kind: 'started', seq: 1, workerId: 'w', at: new Date().toISOString(), inserted });
  await h.waitForStatus(task._id, ['running']);
  const end = { ...run, kind: 'succeeded' as const, seq: 2, artifacts: [], at: new Date().toISOString(), inserted };
  await publishEvent(h.publisher, end);
  await h.waitForStatus(task._id, ['succeeded']);
  expect(await h.models.Outcome.collection.findOne({ _id: task._id } as never)).toMatchObject({ status: 'succeeded' });
  expect(await h.models.Task.collection.findOne({ _id: task._id } as never)).toMatchObject({ status: 'running' });

  const ignored = async (): Promise<number> => (await h.status[0].metrics.events.get()).values.find((v) => v.labels.kind === 'succeeded' && v.labels.applied === 'false')?.value ?? 0;
  const ignoredBefore = await ignored();
  await publishEvent(h.publisher, end);
  await waitFor('the repeated end to be folded', async () => (await ignored()) > ignoredBefore);
  expect(await finishedCount('succeeded')).toBe(before + 1);
  expect(await h.models.Outcome.countDocuments({ _id: task._id })).toBe(1);
});

test('of ends raced for one task, exactly one is stored', async () => {
  const task = await storeQueued();
  const folded = { ...task, type: 'diagnostic', owner: 'owner-1', title: 't', status: 'queued', progress: 0, attempt: 0, maxAttempts: 1, artifacts: [], logs: [], queuedAt: task.createdAt } as FoldTask;
  const statuses = Array.from({ length: 30 }, (_, i) => (['succeeded', 'failed', 'cancelled'] as const)[i % 3]);
  const answers = await Promise.all(statuses.map((status, i) => outcomeOf(h.models, folded, { $set: { status, durationMs: i } })));
  const winners = answers.flatMap((a, i) => (a === OUTCOME_WRITE ? [i] : []));
  expect(winners).toHaveLength(1);
  expect(answers.filter((a) => a === undefined)).toHaveLength(29);
  expect(await h.models.Outcome.collection.findOne({ _id: task._id } as never)).toMatchObject({ status: statuses[winners[0]], durationMs: winners[0] });
});

test("an ended task's artifacts expiring moves its outcome to `expired`; deleting it deletes its outcome", async () => {
  const task = await storeQueued();
  await publishRunEnd(task);
  await h.waitForStatus(task._id, ['succeeded']);
  await publishEvent(h.publisher, { kind: 'artifacts-expired', taskId: task._id, type: 'diagnostic', at: new Date().toISOString() });
  const expired = await h.waitForStatus(task._id, ['expired']);
  expect(expired.lk!.some((k) => k.includes('|s.expired@'))).toBe(true);
  expect(expired.lk!.some((k) => k.includes('|s.succeeded@'))).toBe(false);
  await publishEvent(h.publisher, { kind: 'delete-requested', taskId: task._id, type: 'diagnostic', requestedBy: 'owner-1', at: new Date().toISOString() });
  await waitFor('the task and its outcome to be deleted', async () =>
    (await h.models.Task.collection.countDocuments({ _id: task._id } as never)) === 0 && (await h.models.Outcome.collection.countDocuments({ _id: task._id } as never)) === 0,
  );
});
