import { randomUUID } from 'node:crypto';
import { diagnosticWorker } from '@taskyard/diagnostic/src/diagnostic-handler';
import { ObjectStore } from '@taskyard/storage';
import { createLogger } from '@taskyard/logging';
import { publishEvent } from '@taskyard/messaging';
import { sweepStaleSlots } from '../src/sweepers';
import { startHarness, type Harness } from './lifecycle-harness';

let h: Harness;
let store: ObjectStore;

beforeAll(async () => {
  // No periodic sweep in this file: the slot test runs the sweep itself and counts what it freed (the
  // harness's sweeper, every second, could free a slot first). Timers and the queue TTL need none.
  h = await startHarness('sweepers', { backoffMs: [1000], heartbeatWindowMs: 2000, messageTtlMs: 1500, retentionMs: 2000 }, { status: { sweepIntervalMs: 3_600_000 } });
  store = new ObjectStore(h.servers.s3);
});
afterAll(async () => {
  store?.close();
  await h?.close();
});

test('a task left waiting past its queue TTL fails with expired-in-queue and is dead-lettered', async () => {
  // No worker is running yet: the message waits out the queue's TTL.
  const id = await h.submit('diagnostic', {});
  const t = await h.waitForStatus(id, ['failed'], 15_000);
  expect(t.error?.code).toBe('expired-in-queue');
});

test('past retention, artifacts are deleted from S3 and the task becomes expired (a broker timer, no scan)', async () => {
  await h.startWorker(diagnosticWorker);
  const id = await h.submit('diagnostic', { artifactBytes: 64 });
  const t = await h.waitForStatus(id, ['succeeded']);
  const key = t.artifacts[0].key;
  expect(await store.size(key)).toBe(64);
  // The timer armed when the task succeeded comes back after the type's retention (2 s here).
  await h.waitForStatus(id, ['expired'], 20_000);
  expect(await store.size(key)).toBeUndefined();
});

test('a run that stops sending heartbeats is recovered by its own broker timer and runs again', async () => {
  // A task whose first attempt was started by a worker that then went silent (its message never published,
  // so only the retry the status service schedules can run it).
  const id = randomUUID();
  const now = new Date();
  await h.models.Task.create({
    _id: id, type: 'diagnostic', title: 'stuck', owner: 'o', params: {}, status: 'queued', progress: 0, attempt: 0, maxAttempts: 3,
    artifacts: [], logs: [], createdAt: now, queuedAt: now,
  });
  await publishEvent(h.publisher, { kind: 'started', taskId: id, type: 'diagnostic', attempt: 1, runId: 'silent-run', seq: 1, workerId: 'gone' });
  await h.waitForStatus(id, ['running']);
  const t = await h.waitForStatus(id, ['succeeded'], 30_000);
  expect(t.attempt).toBe(2);
  expect(t.runId).not.toBe('silent-run');
});

test("a slot held past a minute is freed when its task finished or vanished, kept while it is unfinished (each task read by _id)", async () => {
  const old = new Date(Date.now() - 120_000);
  const [finished, queued] = [randomUUID(), randomUUID()];
  for (const [id, status] of [[finished, 'succeeded'], [queued, 'queued']]) {
    await h.models.Task.create({
      _id: id, type: 'diagnostic', title: status, owner: 'o', params: {}, status, progress: 0, attempt: 0, maxAttempts: 3,
      artifacts: [], logs: [], createdAt: old, queuedAt: old,
    });
  }
  await h.models.Slot.collection.insertMany([
    { _id: 'o:diagnostic:7', taskId: finished, takenAt: old },
    { _id: 'o:diagnostic:8', taskId: queued, takenAt: old },
    { _id: 'o:diagnostic:9', taskId: 'never-stored', takenAt: old },
  ] as never[]);
  const deps = { models: h.models, publisher: h.publisher, store, jobTypes: h.types, logger: createLogger('test'), holder: 'test' };
  expect(await sweepStaleSlots(deps)).toBe(2);
  expect((await h.models.Slot.find({ _id: /^o:diagnostic:/ }).lean()).map((x) => x._id)).toEqual(['o:diagnostic:8']);
});
