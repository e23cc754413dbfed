import type { TaskEvent } from '@taskyard/contracts';
import { observeFold } from './fold-observation';
import { foldAll, type TaskState } from './task-state';

const at = (s: number): string => new Date(Date.UTC(2026, 0, 1, 0, 0, s)).toISOString();
const base = { taskId: 't', type: 'diagnostic' };
const queued: TaskState = { _id: 't', status: 'queued', progress: 0, attempt: 0, maxAttempts: 3, artifacts: [], logs: [], queuedAt: new Date(at(0)) };
const ctx = { retentionMs: 60_000 };
const started = (attempt: number, runId: string, s: number): TaskEvent => ({ ...base, kind: 'started', attempt, runId, seq: 1, workerId: 'w', at: at(s) });
const failed = (runId: string, s: number, final: boolean): TaskEvent => ({
  ...base, kind: 'failed', runId, seq: 2, final, error: { code: 'no.such$file', message: `gone at ${s}` }, at: at(s), ...(final ? {} : { retryAt: at(s + 10) }),
});

test('a start counts once with its queue wait; a success counts its run time', () => {
  const running = foldAll(queued, [started(1, 'r1', 3)], ctx).state;
  const start = observeFold(queued, running);
  expect(start.counts).toEqual({ started: 1, wait: { '6': 1 } });
  expect(start.waitsMs).toEqual([3000]);
  expect(start.statusChange).toEqual({ from: 'queued', to: 'running' });
  const done = foldAll(running, [{ ...base, kind: 'succeeded', runId: 'r1', seq: 2, artifacts: [], at: at(4) }], ctx).state;
  const end = observeFold(running, done);
  expect(end.counts).toEqual({ succeeded: 1, run: { '4': 1 } });
  expect(end.runs).toEqual([{ ms: 1000, outcome: 'succeeded' }]);
});

test('a retried attempt counts as retried with its reason; the retry waits from its back-off; the last failure counts as failed once', () => {
  const r1 = foldAll(queued, [started(1, 'r1', 1), failed('r1', 2, false)], ctx).state;
  const first = observeFold(queued, r1);
  expect(first.counts).toMatchObject({ started: 1, retried: 1, reasons: { no_such_file: 1 }, sample: { no_such_file: 'gone at 2' } });
  expect(first.retries).toBe(1);
  // Back-off until 12 s, started at 13 s: waited one second.
  const r2 = foldAll(r1, [started(2, 'r2', 13), failed('r2', 14, true)], ctx).state;
  const last = observeFold(r1, r2);
  expect(last.waitsMs).toEqual([1000]);
  expect(last.counts).toMatchObject({ started: 1, failed: 1, reasons: { no_such_file: 1 } });
  expect(last.counts.retried).toBeUndefined();
  expect(last.runs).toEqual([{ ms: 1000, outcome: 'failed' }]);
});

test('a progress event counts nothing; a task failing in its queue counts as failed with its code', () => {
  const running = foldAll(queued, [started(1, 'r1', 1)], ctx).state;
  const progressed = foldAll(running, [{ ...base, kind: 'progress', runId: 'r1', seq: 2, progress: 50, at: at(2) }], ctx).state;
  expect(observeFold(running, progressed)).toEqual({ counts: {}, waitsMs: [], runs: [], retries: 0 });
  const expired = foldAll(queued, [{ ...base, kind: 'expired-in-queue', at: at(5) }], ctx).state;
  expect(observeFold(queued, expired).counts).toMatchObject({ failed: 1, reasons: { 'expired-in-queue': 1 } });
});
