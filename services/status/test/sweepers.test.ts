import { randomUUID } from 'node:crypto';
import { diagnosticWorker } from '@taskyard/diagnostic/src/diagnostic-handler';
import { createLogger } from '@taskyard/logging';
import { ObjectStore } from '@taskyard/storage';
import { sweepExpiredArtifacts, sweepLostHeartbeats, type SweeperDeps } from '../src/sweepers';
import { startHarness, type Harness } from './lifecycle-harness';

let h: Harness;
let store: ObjectStore;
let deps: SweeperDeps;
const DAY = 24 * 3600_000;

beforeAll(async () => {
  h = await startHarness('sweepers', { backoffMs: [1000], heartbeatWindowMs: 2000, messageTtlMs: 1500 });
  store = new ObjectStore(h.servers.s3);
  deps = { models: h.models, publisher: h.publisher, store, jobTypes: h.types, logger: createLogger('test'), holder: 'test' };
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

test('past retention, artifacts are deleted from S3 and the task becomes expired', async () => {
  await h.startWorker(diagnosticWorker);
  const id = await h.submit('diagnostic', { artifactBytes: 64 });
  const t = await h.waitForStatus(id, ['succeeded']);
  const key = t.artifacts[0].key;
  expect(await store.size(key)).toBe(64);
  expect(await sweepExpiredArtifacts(deps, Date.now() + 2 * DAY)).toBeGreaterThanOrEqual(1);
  await h.waitForStatus(id, ['expired']);
  expect(await store.size(key)).toBeUndefined();
});

test('a running task whose heartbeat stopped is recovered and runs again', async () => {
  const id = randomUUID();
  const old = new Date(Date.now() - 60_000);
  await h.models.Task.create({
    _id: id, type: 'diagnostic', title: 'stuck', owner: 'o', params: {}, status: 'running', progress: 10, attempt: 1, maxAttempts: 3,
    artifacts: [], logs: [], createdAt: old, queuedAt: old, startedAt: old, heartbeatAt: old, runId: 'dead-run', lastSeq: 3,
  });
  expect(await sweepLostHeartbeats(deps)).toBeGreaterThanOrEqual(1);
  const t = await h.waitForStatus(id, ['succeeded'], 20_000);
  expect(t.attempt).toBe(2);
});
