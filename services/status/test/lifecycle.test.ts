import { diagnosticWorker } from '@taskyard/diagnostic/src/diagnostic-handler';
import { publishEvent } from '@taskyard/messaging';
import { waitFor } from '@taskyard/testing';
import { startHarness, type Harness } from './lifecycle-harness';

let h: Harness;

beforeAll(async () => {
  h = await startHarness('lifecycle', { timeoutMs: 1500, backoffMs: [1000], maxAttempts: 3, heartbeatWindowMs: 3000 });
  await h.startWorker(diagnosticWorker);
});
afterAll(async () => h?.close());

test('a task runs to succeeded with its artifact, progress and logs', async () => {
  const id = await h.submit('diagnostic', { artifactBytes: 1000, progressSteps: 3, sleepMs: 300 });
  const t = await h.waitForStatus(id, ['succeeded']);
  expect(t.progress).toBe(100);
  expect(t.attempt).toBe(1);
  expect(t.artifacts).toEqual([expect.objectContaining({ name: 'diagnostic.bin', size: 1000, key: `artifacts/diagnostic/${id}/diagnostic.bin` })]);
  expect(t.logs.map((l) => l.message)).toEqual(['step 1 of 3', 'step 2 of 3', 'step 3 of 3']);
  expect(t.startedAt).toBeTruthy();
  expect(t.durationMs).toBeGreaterThanOrEqual(250);
  expect(t.expiresAt!.getTime()).toBeGreaterThan(Date.now());
});

test('a failed attempt is retried after its back-off, then succeeds', async () => {
  const id = await h.submit('diagnostic', { failAttempts: 1 });
  await h.waitForStatus(id, ['retrying']);
  const t = await h.waitForStatus(id, ['succeeded']);
  expect(t.attempt).toBe(2);
  // The first attempt's error is gone: a succeeded task shows no failure beside it.
  expect(t.error).toBeUndefined();
});

test('past max attempts the task fails with the reason and lands in the dead-letter queue', async () => {
  const id = await h.submit('diagnostic', { failAttempts: 5 });
  const t = await h.waitForStatus(id, ['failed'], 20_000);
  expect(t.attempt).toBe(3);
  expect(t.error).toEqual({ code: 'diagnostic-failure', message: 'diagnostic failure on attempt 3' });
  const ch = await (await import('amqplib')).connect(h.servers.rabbitmqUrl).then((c) => c.createChannel().then((ch) => ({ c, ch })));
  const dead = await waitFor('the dead letter', async () => (await ch.ch.get('tasks.diagnostic.dead', { noAck: false })) || undefined);
  expect(dead.properties.messageId).toBe(id);
  expect(dead.properties.headers?.['x-taskyard-error-code']).toBe('diagnostic-failure');
  ch.ch.nack(dead, false, true);
  await ch.c.close();
});

test('a job past its timeout is aborted and counted as a failed attempt', async () => {
  const id = await h.submit('diagnostic', { hang: true });
  const t = await h.waitForStatus(id, ['failed'], 30_000);
  expect(t.error?.code).toBe('timeout');
  expect(t.attempt).toBe(3);
});

test('duplicate and out-of-order events never move a task backwards', async () => {
  const id = await h.submit('diagnostic', {});
  const done = await h.waitForStatus(id, ['succeeded']);
  const base = { taskId: id, type: 'diagnostic' };
  await publishEvent(h.publisher, { ...base, kind: 'started', attempt: 1, runId: done.runId!, seq: 1, workerId: 'x' });
  await publishEvent(h.publisher, { ...base, kind: 'progress', runId: done.runId!, seq: 1, progress: 10 });
  await publishEvent(h.publisher, { ...base, kind: 'failed', runId: done.runId!, seq: 9, error: { code: 'late', message: 'late' }, final: true });
  await publishEvent(h.publisher, { ...base, kind: 'started', attempt: 2, runId: 'other', seq: 1, workerId: 'x' });
  await publishEvent(h.publisher, { ...base, kind: 'cancel-requested', requestedBy: 'someone' });
  await new Promise((r) => setTimeout(r, 1000));
  const after = await h.task(id);
  expect(after.status).toBe('succeeded');
  expect(after.progress).toBe(100);
  expect(after.attempt).toBe(1);
  expect(after.error).toBeUndefined();
});

test('cancelling a running task aborts it', async () => {
  const id = await h.submit('diagnostic', { sleepMs: 20_000, progressSteps: 20 });
  await h.waitForStatus(id, ['running']);
  await publishEvent(h.publisher, { kind: 'cancel-requested', taskId: id, type: 'diagnostic', requestedBy: 'owner-1' });
  const t = await h.waitForStatus(id, ['cancelled'], 10_000);
  expect(t.finishedAt).toBeTruthy();
});
