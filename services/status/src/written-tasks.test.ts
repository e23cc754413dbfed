import { WORKFLOW_TYPE } from '@taskyard/contracts';
import type { FoldTask } from './task-writes';
import { WrittenTasks } from './written-tasks';

const task = (id: string, over: Partial<FoldTask> = {}): FoldTask =>
  ({ _id: id, type: 'diagnostic', status: 'running', attempt: 1, progress: 0, maxAttempts: 1, artifacts: [], logs: [], owner: 'o', title: 't', createdAt: new Date(0), foldWrite: `w-${id}`, ...over }) as FoldTask;

test('a task is taken out for its fold and is there again only once remembered', () => {
  const w = new WrittenTasks();
  w.remember(task('a'), w.epoch);
  expect(w.take('a')?.foldWrite).toBe('w-a');
  expect(w.take('a')).toBeUndefined();
});

test('only an unfinished job task holding its write id is kept', () => {
  const w = new WrittenTasks();
  w.remember(task('done', { status: 'succeeded' }), w.epoch);
  w.remember(task('never-written', { foldWrite: undefined }), w.epoch);
  w.remember(task('wf', { type: WORKFLOW_TYPE }), w.epoch);
  w.remember(task('continued', { workflow: { definition: { stages: [] } } } as unknown as Partial<FoldTask>), w.epoch);
  w.remember(task('retrying', { status: 'retrying' }), w.epoch);
  expect(w.size).toBe(1);
  expect(w.take('retrying')).toBeDefined();
});

test('bounded: the task folded least recently is forgotten first', () => {
  const w = new WrittenTasks(3);
  for (const id of ['a', 'b', 'c']) w.remember(task(id), w.epoch);
  w.remember(w.take('a')!, w.epoch);
  w.remember(task('d'), w.epoch);
  expect(w.size).toBe(3);
  expect(w.take('b')).toBeUndefined();
  for (const id of ['a', 'c', 'd']) expect(w.take(id)).toBeDefined();
});

test('a drop forgets every task, and a fold begun before it puts nothing back', () => {
  const w = new WrittenTasks();
  w.remember(task('a'), w.epoch);
  const before = w.epoch;
  w.drop();
  expect(w.take('a')).toBeUndefined();
  w.remember(task('b'), before);
  expect(w.size).toBe(0);
  w.remember(task('b'), w.epoch);
  expect(w.size).toBe(1);
});
