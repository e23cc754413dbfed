import type { TaskEvent } from '@taskyard/contracts';
import { canTransition, fold, foldAll, type TaskState } from './task-state';

const ctx = { retentionMs: 60_000 };
const at = (s: number): string => new Date(Date.UTC(2026, 0, 1, 0, 0, s)).toISOString();
const base = { taskId: 't', type: 'diagnostic' };

function queued(extra: Partial<TaskState> = {}): TaskState {
  return { _id: 't', status: 'queued', progress: 0, attempt: 0, maxAttempts: 3, artifacts: [], logs: [], slotId: 'o:diagnostic:0', ...extra };
}
const started = (attempt: number, runId: string, s = 1): TaskEvent => ({ ...base, kind: 'started', attempt, runId, seq: 1, workerId: 'w', at: at(s) });
const succeeded = (runId: string, seq: number, s = 2): TaskEvent => ({ ...base, kind: 'succeeded', runId, seq, artifacts: [], at: at(s) });

test('started then succeeded coalesce into one change, with the slot released', () => {
  const r = foldAll(queued(), [started(1, 'r1'), succeeded('r1', 2, 3)], ctx);
  expect(r.state.status).toBe('succeeded');
  expect(r.state.durationMs).toBe(2000);
  expect(r.state.expiresAt).toEqual(new Date(new Date(at(3)).getTime() + 60_000));
  expect(r.effects).toEqual([{ kind: 'terminal', status: 'succeeded' }, { kind: 'release-slot', slotId: 'o:diagnostic:0' }]);
});

test('an outcome carrying its run\'s start (a fast job: one event) folds as started then the outcome', () => {
  const fast: TaskEvent = { ...base, kind: 'succeeded', runId: 'r1', seq: 1, attempt: 1, artifacts: [], at: at(3), started: { workerId: 'w', at: at(1) } };
  const r = foldAll(queued(), [fast], ctx);
  expect(r.state).toMatchObject({ status: 'succeeded', attempt: 1, runId: 'r1', durationMs: 2000, startedAt: new Date(at(1)) });
  expect(r.effects).toEqual([{ kind: 'terminal', status: 'succeeded' }, { kind: 'release-slot', slotId: 'o:diagnostic:0' }]);
  // Delivered again, or after the task was cancelled, it changes nothing.
  expect(foldAll(r.state, [fast], ctx).changes).toBeNull();
  const cancelled = fold(queued(), { ...base, kind: 'cancel-requested', requestedBy: 'x', at: at(0) }, ctx).state;
  expect(foldAll(cancelled, [fast], ctx).changes).toBeNull();
  const retrying: TaskEvent = { ...base, kind: 'failed', runId: 'r2', seq: 1, attempt: 1, error: { code: 'x', message: 'y' }, final: false, at: at(3), started: { workerId: 'w', at: at(1) } };
  expect(foldAll(queued(), [retrying], ctx).state).toMatchObject({ status: 'retrying', attempt: 1, runId: 'r2' });
});

test("a fold's state is the task as folded: its own fields kept (the status service reads it as the task), the inputs unchanged", () => {
  const task = { ...queued(), owner: 'ann', title: 'x', createdAt: new Date(0), foldWrite: 'w.1' };
  const events = [started(1, 'r1'), succeeded('r1', 2, 3)];
  const r = foldAll(task, events, ctx);
  expect(r.state).toMatchObject({ owner: 'ann', title: 'x', createdAt: new Date(0), foldWrite: 'w.1', status: 'succeeded', runId: 'r1' });
  expect(task).toEqual({ ...queued(), owner: 'ann', title: 'x', createdAt: new Date(0), foldWrite: 'w.1' });
  // Every event's changes merged, each field as the last event left it.
  const first = fold(task, started(1, 'r1'), ctx);
  const second = fold(first.state, succeeded('r1', 2, 3), ctx);
  expect(r.changes).toEqual({ ...first.changes, ...second.changes });
});

test('terminal states never change, except succeeded → expired', () => {
  const done = foldAll(queued(), [started(1, 'r1'), succeeded('r1', 2)], ctx).state;
  for (const e of [started(2, 'r2'), { ...base, kind: 'cancel-requested', requestedBy: 'x', at: at(9) } as TaskEvent, { ...base, kind: 'expired-in-queue', at: at(9) } as TaskEvent]) {
    expect(fold(done, e, ctx).changes).toBeNull();
  }
  expect(fold(done, { ...base, kind: 'artifacts-expired', at: at(9) }, ctx).state.status).toBe('expired');
  expect(canTransition('failed', 'running')).toBe(false);
  expect(canTransition('succeeded', 'expired')).toBe(true);
});

test('duplicate and stale events from a run change nothing', () => {
  const running = fold(queued(), started(1, 'r1'), ctx).state;
  const p2 = fold(running, { ...base, kind: 'progress', runId: 'r1', seq: 2, progress: 50, at: at(2) }, ctx).state;
  expect(fold(p2, { ...base, kind: 'progress', runId: 'r1', seq: 2, progress: 50, at: at(2) }, ctx).changes).toBeNull();
  expect(fold(p2, { ...base, kind: 'progress', runId: 'r1', seq: 1, progress: 10, at: at(2) }, ctx).changes).toBeNull();
  expect(fold(p2, { ...base, kind: 'progress', runId: 'other', seq: 9, progress: 90, at: at(2) }, ctx).changes).toBeNull();
  expect(fold(p2, started(1, 'r1'), ctx).changes).toBeNull();
});

test('a retry goes running → retrying → running with the next attempt', () => {
  const running = fold(queued(), started(1, 'r1'), ctx).state;
  const retrying = fold(running, { ...base, kind: 'failed', runId: 'r1', seq: 2, final: false, error: { code: 'x', message: 'y' }, at: at(2) }, ctx).state;
  expect(retrying.status).toBe('retrying');
  expect(fold(retrying, started(1, 'r1b'), ctx).changes).toBeNull();
  const again = fold(retrying, started(2, 'r2', 3), ctx).state;
  expect(again).toMatchObject({ status: 'running', attempt: 2, runId: 'r2' });
});

test('cancel: a queued task is cancelled at once; a running one only once its worker confirms', () => {
  const cancel: TaskEvent = { ...base, kind: 'cancel-requested', requestedBy: 'o', at: at(5) };
  expect(fold(queued(), cancel, ctx).state.status).toBe('cancelled');
  const running = fold(queued(), started(1, 'r1'), ctx).state;
  const requested = fold(running, cancel, ctx).state;
  expect(requested.status).toBe('running');
  expect(fold(requested, cancel, ctx).changes).toBeNull();
  expect(fold(requested, { ...base, kind: 'cancelled', runId: 'r1', seq: 2, at: at(6) }, ctx).state.status).toBe('cancelled');
});

const wfRecord = { definition: { name: 'w', stages: [{ name: 'batch', type: 'diagnostic', kind: 'fan-out' as const, items: 'batches', itemParam: 'b' }] }, stages: [], received: {} };

test('a run that continued as a workflow keeps running with its own result; workflow-ended ends it as any task ends', () => {
  const ended = (task: TaskState, status: 'succeeded' | 'failed' | 'cancelled', s: number, extra: Partial<Extract<TaskEvent, { kind: 'workflow-ended' }>> = {}) =>
    fold(task, { ...base, kind: 'workflow-ended', status, at: at(s), ...extra }, ctx);
  const running = fold(queued({ type: 'diagnostic' }), started(1, 'r1'), ctx).state;
  const result = { fannedOut: 2, partial: [{ count: 1, of: 3, one: 'batch skipped', other: 'batches skipped' }] };
  const continued: TaskEvent = { ...base, kind: 'continued-as-workflow', runId: 'r1', seq: 2, workflow: 'w', params: { batches: [1, 2] }, result, at: at(2) };
  const waiting = fold(running, continued, ctx);
  expect(waiting.state).toMatchObject({ status: 'running', result, lastSeq: 2 });
  expect(waiting.effects).toEqual([]);
  expect(fold(waiting.state, continued, ctx).changes).toBeNull();
  // The status service adds the workflow record; from then on the task's own fold leaves the children and a cancel to it.
  const parent = { ...waiting.state, workflow: wfRecord };
  expect(fold(parent, { ...base, kind: 'child-finished', childId: 't.batch.1', childStatus: 'succeeded', artifacts: [], at: at(3) }, ctx).changes).toBeNull();
  expect(fold(parent, { ...base, kind: 'cancel-requested', requestedBy: 'o', at: at(3) }, ctx).changes).toBeNull();
  expect(fold(parent, { ...base, kind: 'heartbeat-lost', runId: 'r1', final: true, at: at(3) }, ctx).changes).toBeNull();
  const art = { name: 'report-b1.csv', key: 'k/1', size: 1, contentType: 'text/csv' };
  const done = ended(parent, 'succeeded', 4, { artifacts: [art] });
  expect(done.state).toMatchObject({ status: 'succeeded', progress: 100, artifacts: [art], result, durationMs: 3000, expiresAt: new Date(new Date(at(4)).getTime() + 60_000) });
  expect(done.state.attempts?.at(-1)).toMatchObject({ attempt: 1, outcome: 'succeeded' });
  expect(done.effects).toEqual([{ kind: 'terminal', status: 'succeeded' }, { kind: 'release-slot', slotId: 'o:diagnostic:0' }]);
  expect(ended(done.state, 'failed', 5).changes).toBeNull();
  const failed = ended(parent, 'failed', 4, { error: { code: 'stage-failed', message: 'stage batch failed: child t.batch.2: boom' } }).state;
  expect(failed).toMatchObject({ status: 'failed', error: { code: 'stage-failed' }, failedKey: 'diagnostic|2026-01-01' });
  expect(ended(parent, 'cancelled', 4).state).toMatchObject({ status: 'cancelled', cancelRequestedAt: new Date(at(4)) });
});

test('logs are capped to the last lines', () => {
  const running = fold(queued(), started(1, 'r1'), ctx).state;
  const logs = Array.from({ length: 30 }, (_, i) => ({ at: at(1), level: 'info' as const, message: `l${i}` }));
  const r = fold(running, { ...base, kind: 'progress', runId: 'r1', seq: 2, logs, at: at(2) }, { ...ctx, logCap: 10 });
  expect(r.state.logs.map((l) => l.message)).toEqual(logs.slice(20).map((l) => l.message));
});

test('a success clears the error an earlier attempt left', () => {
  const failed: TaskEvent = { ...base, kind: 'failed', runId: 'r1', seq: 2, error: { code: 'boom', message: 'first try' }, final: false, at: at(2) };
  const retrying = foldAll(queued(), [started(1, 'r1'), failed], ctx).state;
  expect(retrying).toMatchObject({ status: 'retrying', error: { code: 'boom' } });
  const r = foldAll(retrying, [started(2, 'r2', 3), succeeded('r2', 2, 4)], ctx);
  expect(r.state.status).toBe('succeeded');
  expect(r.state.error).toBeUndefined();
  expect(r.changes).toHaveProperty('error', undefined);
});

describe('scheduled tasks (runAt)', () => {
  const scheduled = (): TaskState => queued({ status: 'scheduled' });
  const released: TaskEvent = { ...base, kind: 'released', at: at(5) };

  test('released moves scheduled to queued with the time it joined the queue; a repeat changes nothing', () => {
    const r = fold(scheduled(), released, ctx);
    expect(r.changes).toEqual({ status: 'queued', queuedAt: new Date(at(5)) });
    expect(fold(r.state, released, ctx).changes).toBeNull();
  });

  test('a worker may start it before the released event is folded; released after that changes nothing', () => {
    const running = fold(scheduled(), started(1, 'r1'), ctx).state;
    expect(running.status).toBe('running');
    expect(fold(running, released, ctx).changes).toBeNull();
  });

  test('a cancel while it waits cancels it at once and frees its slot', () => {
    const r = fold(scheduled(), { ...base, kind: 'cancel-requested', requestedBy: 'u', at: at(3) }, ctx);
    expect(r.state.status).toBe('cancelled');
    expect(r.effects).toContainEqual({ kind: 'release-slot', slotId: 'o:diagnostic:0' });
  });

  test('a failed task records its type and day, the bucket "failed since" reads', () => {
    const r = foldAll(queued({ type: 'diagnostic' }), [started(1, 'r1'), { ...base, kind: 'failed', runId: 'r1', seq: 2, final: true, error: { code: 'x', message: 'y' }, at: at(4) }], ctx);
    expect(r.state.failedKey).toBe('diagnostic|2026-01-01');
  });
});

describe('attempts (the task page timeline)', () => {
  const failed = (runId: string, seq: number, s: number, final: boolean): TaskEvent => ({
    ...base, kind: 'failed', runId, seq, final, error: { code: 'boom', message: `attempt failed at ${s}` }, at: at(s), ...(final ? {} : { retryAt: at(s + 5) }),
  });

  test('each attempt records its start, its end, how it ended and why; a retry says when the next was due', () => {
    const r = foldAll(queued(), [started(1, 'r1', 1), failed('r1', 2, 2, false), started(2, 'r2', 8), failed('r2', 2, 9, false), started(3, 'r3', 15), succeeded('r3', 2, 17)], ctx);
    expect(r.state.status).toBe('succeeded');
    expect(r.state.attempts).toEqual([
      { attempt: 1, startedAt: new Date(at(1)), endedAt: new Date(at(2)), outcome: 'failed', error: { code: 'boom', message: 'attempt failed at 2' }, retryAt: new Date(at(7)) },
      { attempt: 2, startedAt: new Date(at(8)), endedAt: new Date(at(9)), outcome: 'failed', error: { code: 'boom', message: 'attempt failed at 9' }, retryAt: new Date(at(14)) },
      { attempt: 3, startedAt: new Date(at(15)), endedAt: new Date(at(17)), outcome: 'succeeded' },
    ]);
  });

  test('a last failed attempt has no retry time; a redelivered run closes the open attempt it replaced', () => {
    const running = fold(queued(), started(1, 'r1', 1), ctx).state;
    const again = fold(running, started(1, 'r1b', 4), ctx).state;
    const done = fold(again, failed('r1b', 2, 6, true), ctx).state;
    expect(done.status).toBe('failed');
    expect(done.attempts).toEqual([
      { attempt: 1, startedAt: new Date(at(1)), endedAt: new Date(at(4)), outcome: 'redelivered' },
      { attempt: 1, startedAt: new Date(at(4)), endedAt: new Date(at(6)), outcome: 'failed', error: { code: 'boom', message: 'attempt failed at 6' } },
    ]);
  });

  test('a lost heartbeat ends the attempt with its reason; a duplicate event writes no attempt again', () => {
    const running = fold(queued(), started(1, 'r1', 1), ctx).state;
    const lost = fold(running, { ...base, kind: 'heartbeat-lost', runId: 'r1', final: false, retryAt: at(9), at: at(5) }, ctx).state;
    expect(lost.attempts?.[0]).toMatchObject({ outcome: 'heartbeat-lost', endedAt: new Date(at(5)), retryAt: new Date(at(9)), error: { code: 'heartbeat-lost' } });
    expect(fold(lost, { ...base, kind: 'heartbeat-lost', runId: 'r1', final: false, at: at(6) }, ctx).changes).toBeNull();
  });
});
