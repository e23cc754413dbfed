import type { TaskEvent } from '@taskyard/contracts';
import type { TaskState } from '@taskyard/tasks';
import { TaskStream } from './task-stream';

const ctx = { retentionMs: 60_000 };
const at = (s: number): string => new Date(Date.UTC(2026, 0, 1, 0, 0, s)).toISOString();
const base = { taskId: 't', type: 'diagnostic' };
const queued = (): TaskState => ({ _id: 't', status: 'queued', progress: 0, attempt: 0, maxAttempts: 3, artifacts: [], logs: [], slotId: 'o:diagnostic:0' });
const fastStart = { workerId: 'w', at: at(1) };

test("a fast job's outcome (its start carried inside) reaches the stream as the status service folds it", () => {
  const stream = new TaskStream(queued(), ctx);
  const retry: TaskEvent = { ...base, kind: 'failed', runId: 'r1', seq: 1, attempt: 1, error: { code: 'x', message: 'y' }, final: false, retryAt: at(5), at: at(2), started: fastStart };
  expect(stream.apply(retry)).toMatchObject({ kind: 'failed', status: 'retrying', attempt: 1 });
  const last: TaskEvent = { ...base, kind: 'failed', runId: 'r2', seq: 1, attempt: 2, error: { code: 'x', message: 'y' }, final: true, at: at(7), started: { workerId: 'w', at: at(6) } };
  expect(stream.apply(last)).toMatchObject({ kind: 'failed', status: 'failed', attempt: 2 });
  expect(stream.finished).toBe(true);
});

test('a fast success ends the stream; the same event again sends nothing', () => {
  const stream = new TaskStream(queued(), ctx);
  const done: TaskEvent = { ...base, kind: 'succeeded', runId: 'r1', seq: 1, attempt: 1, artifacts: [], at: at(2), started: fastStart };
  expect(stream.apply(done)).toMatchObject({ status: 'succeeded' });
  expect(stream.finished).toBe(true);
  expect(stream.apply(done)).toBeUndefined();
});

test("a workflow's stage finishing reaches the workflow's stream (the client reads the workflow again); its end ends the stream", () => {
  const workflow = new TaskStream({ ...queued(), status: 'running' }, ctx);
  const stageDone: TaskEvent = { ...base, kind: 'child-finished', childId: 't.first', childStatus: 'succeeded', artifacts: [], at: at(3), stage: { workflowId: 't', stage: 'first', kind: 'task' } };
  expect(workflow.apply(stageDone)).toEqual({ kind: 'child-finished', at: at(3), status: 'running', progress: 0, attempt: 0 });
  // The status service publishes the end it folded: the stream folds it too (it may hold the task from before its workflow record).
  const ended: TaskEvent = { ...base, kind: 'workflow-ended', status: 'succeeded', at: at(4) };
  expect(workflow.apply(ended)).toMatchObject({ kind: 'workflow-ended', status: 'succeeded', progress: 100 });
  expect(workflow.finished).toBe(true);
  expect(workflow.apply(stageDone)).toBeUndefined();
});
