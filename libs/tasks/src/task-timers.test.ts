import type { TaskEvent } from '@taskyard/contracts';
import type { TaskState } from './task-state';
import { timerDecisions } from './task-timers';

const base: TaskState = { _id: 't', status: 'queued', progress: 0, attempt: 0, maxAttempts: 3, artifacts: [], logs: [] };
const ctx = { now: 100_000, heartbeatWindowMs: 10_000 };
const check = (runId: string): TaskEvent => ({ kind: 'heartbeat-check', runId, taskId: 't', type: 'x', at: '' });

test('a new run arms its heartbeat check; a fired check re-arms while heartbeats come, and decides a loss after a silent window', () => {
  const running = { ...base, status: 'running' as const, attempt: 1, runId: 'r1', heartbeatAt: new Date(95_000) };
  expect(timerDecisions(base, running, [], ctx)).toEqual([{ kind: 'arm-heartbeat', runId: 'r1' }, { kind: 'arm-list-prune', status: 'queued' }]);
  expect(timerDecisions(running, running, [check('r1')], ctx)).toEqual([{ kind: 'arm-heartbeat', runId: 'r1' }]);
  const silent = { ...running, heartbeatAt: new Date(89_000) };
  expect(timerDecisions(silent, silent, [check('r1')], ctx)).toEqual([{ kind: 'heartbeat-lost', runId: 'r1', final: false }]);
  expect(timerDecisions(silent, { ...silent, attempt: 3 }, [check('r1')], ctx)).toEqual([{ kind: 'heartbeat-lost', runId: 'r1', final: true }]);
});

test('a check folded late (the status service behind its queue) measures the silence up to when it fell due', () => {
  // Armed at 80 s, due at 90 s, folded at 100 s: the last heartbeat (88 s) came 2 s before it fell due.
  const running = { ...base, status: 'running' as const, attempt: 1, runId: 'r1', heartbeatAt: new Date(88_000) };
  const armedAt = (ms: number): TaskEvent => ({ ...check('r1'), at: new Date(ms).toISOString() });
  expect(timerDecisions(running, running, [armedAt(80_000)], ctx)).toEqual([{ kind: 'arm-heartbeat', runId: 'r1' }]);
  // Silent for the whole window before it fell due: lost, however late the fold.
  expect(timerDecisions(running, running, [armedAt(98_500)], { ...ctx, now: 200_000 })).toEqual([{ kind: 'heartbeat-lost', runId: 'r1', final: false }]);
});

test("a check of a run that is no longer current, or of a finished task, decides nothing", () => {
  const running = { ...base, status: 'running' as const, attempt: 2, runId: 'r2', heartbeatAt: new Date(0) };
  expect(timerDecisions(running, running, [check('r1')], ctx)).toEqual([]);
  expect(timerDecisions(running, { ...running, status: 'succeeded' }, [check('r2')], ctx)).toEqual([{ kind: 'arm-list-prune', status: 'running' }]);
});

test('success with artifacts arms retention; the due timer expires them only once expiresAt has passed', () => {
  const done = { ...base, status: 'succeeded' as const, artifacts: [{ name: 'a', key: 'k', size: 1, contentType: 'x' }], expiresAt: new Date(100_000) };
  expect(timerDecisions(done, done, [], ctx)).toEqual([]);
  expect(timerDecisions({ ...done, status: 'running' }, done, [], ctx)).toContainEqual({ kind: 'arm-retention' });
  expect(timerDecisions({ ...done, status: 'running' }, { ...done, artifacts: [] }, [], ctx)).not.toContainEqual({ kind: 'arm-retention' });
  const due: TaskEvent = { kind: 'retention-due', taskId: 't', type: 'x', at: '' };
  expect(timerDecisions(done, done, [due], ctx)).toEqual([{ kind: 'expire-artifacts' }]);
  expect(timerDecisions(done, done, [due], { ...ctx, now: 50_000 })).toEqual([{ kind: 'arm-retention' }]);
});

test('leaving an open status (queued, running...) or succeeded (expiring) arms a look at its list marks; the fired timer prunes; a child, in no list, arms none', () => {
  const running = { ...base, status: 'running' as const, runId: 'r1' };
  expect(timerDecisions(running, { ...running, status: 'failed' }, [], ctx)).toEqual([{ kind: 'arm-list-prune', status: 'running' }]);
  // Expiring leaves the succeeded lists, whose marks are pruned too (list-prune.ts pruneTreeMarks).
  expect(timerDecisions({ ...base, status: 'succeeded' }, { ...base, status: 'expired' }, [], ctx)).toEqual([{ kind: 'arm-list-prune', status: 'succeeded' }]);
  expect(timerDecisions({ ...running, parentId: 'p' }, { ...running, parentId: 'p', status: 'failed' }, [], ctx)).toEqual([]);
  const fired: TaskEvent = { kind: 'list-prune', status: 'queued', taskId: 't', type: 'x', at: '' };
  expect(timerDecisions(running, running, [fired], ctx)).toEqual([{ kind: 'prune-list', status: 'queued' }]);
});
