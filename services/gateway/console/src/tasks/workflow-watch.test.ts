import type { WorkflowView } from '@taskyard/contracts';
import { inTransition, streamedIds, viewKey } from './workflow-watch';

const stage = (name: string, state: WorkflowView['stages'][number]['state'], more: Partial<WorkflowView['stages'][number]> = {}): WorkflowView['stages'][number] => ({
  name,
  type: 'diagnostic',
  kind: 'task',
  state,
  taskId: `w.${name}`,
  ...more,
});
const view = (status: string, stages: WorkflowView['stages'], onFailure?: WorkflowView['onFailure']) => ({ id: 'w', status, progress: 0, stages, onFailure, logs: [] });

test("the workflow's own stream and each running stage task's; never a fan-out's children; none once finished", () => {
  expect(streamedIds(view('running', [stage('a', 'succeeded'), stage('b', 'started'), stage('c', 'waiting')]))).toEqual(['w', 'w.b']);
  expect(streamedIds(view('running', [stage('a', 'succeeded'), stage('pages', 'started', { kind: 'fan-out', total: 5, done: 1 })]))).toEqual(['w']);
  expect(streamedIds(view('running', [stage('a', 'failed')], stage('tell', 'started', { kind: 'on-failure' })))).toEqual(['w', 'w.tell']);
  expect(streamedIds(view('succeeded', [stage('a', 'succeeded')]))).toEqual([]);
  expect(streamedIds(view('cancelled', [stage('a', 'cancelled')]))).toEqual([]);
});

test("a read changes the key when anything the page shows moved, a fan-out's count and the log included", () => {
  const before = { ...view('running', [stage('pages', 'started', { kind: 'fan-out', total: 5, done: 1 })]) };
  expect(viewKey(before)).toBe(viewKey({ ...before }));
  expect(viewKey(before)).not.toBe(viewKey({ ...before, stages: [stage('pages', 'started', { kind: 'fan-out', total: 5, done: 2 })] }));
  expect(viewKey(before)).not.toBe(viewKey({ ...before, stages: [stage('pages', 'started', { kind: 'fan-out', total: 5, done: 1, failed: 1 })] }));
  expect(viewKey(before)).not.toBe(viewKey({ ...before, logs: [{ at: '', level: 'info', message: 'x' }] }));
  expect(viewKey(before)).not.toBe(viewKey({ ...before, progress: 20 }));
  const chain = view('running', [stage('a', 'started', { taskStatus: 'queued' })]);
  expect(viewKey(chain)).not.toBe(viewKey(view('running', [stage('a', 'started', { taskStatus: 'running' })])));
  expect(viewKey(chain)).not.toBe(viewKey(view('running', [stage('a', 'started', { taskStatus: 'running', taskProgress: 50 })])));
});

test("between two writes: a stage's task finished but the workflow has not moved on, or every stage done but not the workflow", () => {
  expect(inTransition(view('running', [stage('a', 'started', { taskStatus: 'succeeded' }), stage('b', 'waiting')]))).toBe(true);
  expect(inTransition(view('running', [stage('a', 'succeeded'), stage('b', 'started', { taskStatus: 'queued' })]))).toBe(false);
  expect(inTransition(view('running', [stage('a', 'succeeded'), stage('b', 'started', { taskStatus: 'running' })]))).toBe(false);
  expect(inTransition(view('running', [stage('a', 'succeeded'), stage('b', 'succeeded')]))).toBe(true);
  expect(inTransition(view('running', [stage('a', 'skipped'), stage('b', 'started', { taskStatus: 'failed' })]))).toBe(true);
  // A fan-out's children finish one by one: each is an event of its own, nothing to wait for here.
  expect(inTransition(view('running', [stage('p', 'started', { kind: 'fan-out', total: 3, done: 3 })]))).toBe(false);
  expect(inTransition(view('running', [stage('a', 'failed')], stage('tell', 'started', { kind: 'on-failure', taskStatus: 'running' })))).toBe(false);
  expect(inTransition(view('running', [stage('a', 'failed')], stage('tell', 'succeeded', { kind: 'on-failure' })))).toBe(true);
  expect(inTransition(view('succeeded', [stage('a', 'succeeded')]))).toBe(false);
});
