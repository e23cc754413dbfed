import type { TaskEvent, WorkflowDefinition } from '@taskyard/contracts';
import { foldWorkflow, initialWorkflow, workflowProgress, type WorkflowTask } from './workflow-fold';

const def: WorkflowDefinition = {
  name: 'w',
  stages: [
    { name: 'list', type: 't' },
    { name: 'pages', type: 't', kind: 'fan-out', items: 'links', itemParam: 'url' },
    { name: 'combine', type: 't', kind: 'fan-in' },
  ],
  onFailure: { name: 'tell', type: 't' },
};
const at = new Date('2026-11-30T10:00:00Z');
const knownType = (t: string): boolean => t === 't';

function started(): WorkflowTask {
  return initialWorkflow({ _id: 'w1', status: 'running', progress: 0, logs: [], artifacts: [], startedAt: at }, def, { host: 'h' }, { knownType, at }).state;
}
const done = (stage: string, kind: 'task' | 'fan-out' | 'fan-in' | 'on-failure', result?: Record<string, unknown>, item?: number): TaskEvent => ({
  kind: 'child-finished', taskId: 'w1', type: 't', at: at.toISOString(), childId: `w1.${stage}${item === undefined ? '' : `.${item + 1}`}`,
  childStatus: 'succeeded', artifacts: [], stage: { workflowId: 'w1', stage, kind, ...(item === undefined ? {} : { item }) }, ...(result ? { result } : {}),
});

test('a new workflow starts its first stage with the params', () => {
  const { state, effects } = initialWorkflow({ _id: 'w1', status: 'running', progress: 0, logs: [], artifacts: [] }, def, { host: 'h' }, { knownType, at });
  expect(state.workflow.stages.map((s) => s.state)).toEqual(['started', 'waiting', 'waiting']);
  expect(effects).toEqual([{ kind: 'start-stage', stage: def.stages[0], index: 0, received: { host: 'h' } }]);
});

test('a stage told twice starts the next stage once; the fan-out is sized by its items', () => {
  const ctx = { outputs: new Map<string, number>(), knownType };
  const first = foldWorkflow(started(), [done('list', 'task', { links: ['a', 'b'], host: 'h' })], ctx);
  expect(first.effects).toEqual([{ kind: 'start-stage', stage: def.stages[1], index: 1, received: { links: ['a', 'b'], host: 'h' } }]);
  expect(first.state.workflow.stages[1]).toMatchObject({ state: 'started', total: 2, done: 0 });
  expect(first.state.workflow.received.pages).toEqual({ host: 'h' });
  const again = foldWorkflow(first.state, [done('list', 'task', { links: ['a', 'b'] })], ctx);
  expect(again).toMatchObject({ changes: null, effects: [] });
});

test('the fan-in starts when the recount of outputs reaches the total, with what the fan-out received', () => {
  const s1 = foldWorkflow(started(), [done('list', 'task', { links: ['a', 'b'], host: 'h' })], { outputs: new Map(), knownType }).state;
  const half = foldWorkflow(s1, [done('pages', 'fan-out', {}, 0)], { outputs: new Map([['pages', 1]]), knownType });
  expect(half.effects).toEqual([]);
  expect(half.state.progress).toBe(50);
  // The same child told again, and the other one: the count (2) decides, not the number of events.
  const all = foldWorkflow(half.state, [done('pages', 'fan-out', {}, 0), done('pages', 'fan-out', {}, 1)], { outputs: new Map([['pages', 2]]), knownType });
  expect(all.effects).toEqual([{ kind: 'start-stage', stage: def.stages[2], index: 2, received: { host: 'h' } }]);
  const end = foldWorkflow(all.state, [done('combine', 'fan-in', { n: 2 })], { outputs: new Map(), knownType });
  expect(end.state).toMatchObject({ status: 'succeeded', progress: 100, result: { n: 2 } });
});

test('a failed child fails its stage, cancels the fan-out and starts the on-failure stage with what the stage received', () => {
  const s1 = foldWorkflow(started(), [done('list', 'task', { links: ['a', 'b'], host: 'h' })], { outputs: new Map(), knownType }).state;
  const failed: TaskEvent = { ...done('pages', 'fan-out', undefined, 1), childStatus: 'failed', error: { code: 'http-500', message: 'page b answered 500' } } as TaskEvent;
  const r = foldWorkflow(s1, [failed], { outputs: new Map(), knownType });
  expect(r.effects.map((e) => e.kind)).toEqual(['cancel-stages', 'start-on-failure']);
  expect(r.effects[1]).toEqual({ kind: 'start-on-failure', received: { host: 'h' }, failure: { stage: 'pages', error: { code: 'http-500', message: 'child w1.pages.2: page b answered 500' } } });
  expect(r.state.status).toBe('running');
  const end = foldWorkflow(r.state, [done('tell', 'on-failure')], { outputs: new Map(), knownType });
  expect(end.state).toMatchObject({ status: 'failed', error: { code: 'stage-failed' } });
});

test('a cancel ends the workflow and cancels its started stages; later events change nothing', () => {
  const cancel: TaskEvent = { kind: 'cancel-requested', taskId: 'w1', type: 'workflow', at: at.toISOString(), requestedBy: 'u' };
  const r = foldWorkflow(started(), [cancel, done('list', 'task', { links: [] })], { outputs: new Map(), knownType });
  expect(r.state.status).toBe('cancelled');
  expect(r.effects).toEqual([{ kind: 'cancel-stages', stages: [expect.objectContaining({ name: 'list', state: 'cancelled' })] }]);
});

test('progress weighs each stage alike', () => {
  const w = started().workflow;
  expect(workflowProgress({ ...w, stages: [{ ...w.stages[0], state: 'succeeded' }, { ...w.stages[1], state: 'started', total: 4, done: 1 }, w.stages[2]] })).toBe(41);
});

test('a retried fan-out counts the children it kept and launches only the others; all kept: the stage is done at once', () => {
  const received = { links: ['a', 'b', 'c'], host: 'h' };
  const retryOf = { workflowId: 'w0', fromStage: 'pages' };
  const base = { _id: 'w1', status: 'running' as const, progress: 0, logs: [], artifacts: [], startedAt: at };
  const r = initialWorkflow(base, def, received, { from: 1, knownType, at, retryOf, reused: new Set([0, 2, 7]) });
  expect(r.state.workflow.stages.map((s) => s.state)).toEqual(['skipped', 'started', 'waiting']);
  expect(r.state.workflow.stages[1]).toMatchObject({ total: 3, done: 2 });
  expect(r.effects).toEqual([{ kind: 'start-stage', stage: def.stages[1], index: 1, received, skip: [0, 2] }]);
  expect(r.state.logs.map((l) => l.message)).toContain('stage pages started: 3 child task(s) of t, 2 kept from the workflow retried (not run again)');
  const all = initialWorkflow(base, def, received, { from: 1, knownType, at, retryOf, reused: new Set([0, 1, 2]) });
  expect(all.state.workflow.stages.map((s) => s.state)).toEqual(['skipped', 'succeeded', 'started']);
  expect(all.effects).toEqual([{ kind: 'start-stage', stage: def.stages[2], index: 2, received: { host: 'h' } }]);
});
