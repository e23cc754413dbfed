import { foldAll } from '@taskyard/tasks';
import type { TaskEvent } from '@taskyard/contracts';
import { presumedTask, updateFor } from './task-writes';

const inserted = { owner: 'o', title: 't', createdAt: new Date(1_000).toISOString(), maxAttempts: 3 };
const run = { taskId: 'task-1', type: 'diagnostic', attempt: 1, runId: 'r1' };
const fastRun: TaskEvent[] = [
  { ...run, kind: 'succeeded', seq: 2, at: new Date(3_000).toISOString(), artifacts: [], started: { workerId: 'w', at: new Date(2_000).toISOString() }, inserted } as TaskEvent,
];

test("a fold's update leaves out what the stored task already holds", () => {
  const task = presumedTask(fastRun)!;
  const { changes } = foldAll(task, fastRun, { retentionMs: 60_000 });
  const full = updateFor(changes!);
  // Without the stored task: every change (an empty list over an empty list, a removal of a field it lacks).
  expect(Object.keys(full.$set!)).toEqual(expect.arrayContaining(['logs', 'artifacts']));
  expect(Object.keys(full.$unset!).sort()).toEqual(['error', 'retryAt']);
  const lean = updateFor(changes!, task);
  expect(lean.$unset).toBeUndefined();
  expect(Object.keys(lean.$set!).sort()).toEqual(Object.keys(full.$set!).filter((k) => k !== 'logs' && k !== 'artifacts').sort());
  expect(lean.$set).toMatchObject({ status: 'succeeded', attempt: 1, progress: 100, finishedAt: new Date(3_000), startedAt: new Date(2_000) });
});

test('a change the stored task does not hold yet is written: a list no longer empty, a field removed that it has', () => {
  const task = { ...presumedTask(fastRun)!, status: 'running' as const, attempt: 1, runId: 'r1', lastSeq: 1, retryAt: new Date(5), logs: [{ at: new Date(0).toISOString(), level: 'info' as const, message: 'x' }] };
  const update = updateFor({ retryAt: undefined, logs: [], artifacts: [{ key: 'k', name: 'n', size: 1, contentType: 'text/plain' }] } as never, task);
  expect(update).toEqual({ $set: { logs: [], artifacts: [expect.objectContaining({ key: 'k' })] }, $unset: { retryAt: '' } });
});
