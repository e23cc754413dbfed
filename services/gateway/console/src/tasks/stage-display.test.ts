import type { WorkflowDefinition } from '@taskyard/contracts';
import { graphSummary, isChildOf, previewStages, stageDisplay, stagesInWords, stageTaskId, unreachableParams, workflowSentence } from './stage-display';

const base = { name: 's', type: 't', kind: 'task' as const, taskId: 'w.s' };
const fan = { ...base, name: 'pages', kind: 'fan-out' as const, taskId: 'w.pages' };

test("a started stage shows its task queued or running; a fan-out its children's count", () => {
  expect(stageDisplay({ ...base, state: 'started', taskStatus: 'queued' })).toEqual({ tone: 'queued', label: 'queued' });
  expect(stageDisplay({ ...base, state: 'started', taskStatus: 'running', taskProgress: 40 })).toEqual({ tone: 'running', label: 'running 40%' });
  expect(stageDisplay({ ...base, state: 'started', taskStatus: 'retrying' })).toEqual({ tone: 'running', label: 'retrying' });
  expect(stageDisplay({ ...fan, state: 'started' })).toEqual({ tone: 'running', label: 'making its tasks' });
  expect(stageDisplay({ ...fan, state: 'started', total: 120, done: 37 })).toEqual({ tone: 'running', label: '37 of 120 done' });
  expect(stageDisplay({ ...fan, state: 'started', total: 120, done: 37, failed: 2 })).toEqual({ tone: 'running', label: '37 of 120 done, 2 failed' });
});

test('a finished stage: its outcome, a fan-out with its count', () => {
  expect(stageDisplay({ ...fan, state: 'succeeded', total: 3, done: 3 })).toEqual({ tone: 'succeeded', label: '3 of 3 done' });
  expect(stageDisplay({ ...fan, state: 'failed', total: 3, done: 1, failed: 1 })).toEqual({ tone: 'failed', label: 'failed: 1 of 3 done, 1 failed' });
  expect(stageDisplay({ ...fan, state: 'cancelled', total: 4, done: 1 })).toEqual({ tone: 'cancelled', label: 'cancelled: 1 of 4 done' });
  expect(stageDisplay({ ...base, state: 'cancelled' })).toEqual({ tone: 'cancelled', label: 'cancelled' });
  expect(stageDisplay({ ...base, state: 'skipped' }).tone).toBe('skipped');
  expect(stageDisplay({ ...base, state: 'waiting' })).toEqual({ tone: 'waiting', label: 'not started' });
});

test('the summary names every stage in order, the on-failure stage last', () => {
  expect(graphSummary({ stages: [{ ...base, state: 'succeeded' }, { ...base, name: 'b', state: 'waiting' }], onFailure: { ...base, name: 'tell', kind: 'on-failure', state: 'started', taskStatus: 'running' } })).toBe(
    'Stages: 1. s: succeeded; 2. b: not started; on failure, tell: running.',
  );
});

test('the sentence says which stage the workflow is at, or how it ended', () => {
  const stages = [{ ...base, name: 'a', state: 'succeeded' as const }, { ...fan, state: 'started' as const, total: 4, done: 1 }, { ...base, name: 'c', state: 'waiting' as const }];
  expect(workflowSentence({ status: 'running', stages })).toBe('Stage 2 of 3, pages: 1 of 4 done.');
  expect(workflowSentence({ status: 'queued', stages: stages.map((s) => ({ ...s, state: 'waiting' as const })) })).toBe('Waiting for its first stage.');
  expect(workflowSentence({ status: 'succeeded', stages })).toBe('All 3 stages done.');
  const failed = [{ ...base, name: 'a', state: 'failed' as const, error: { code: 'x', message: 'boom' } }];
  const tell = { ...base, name: 'tell', kind: 'on-failure' as const, state: 'succeeded' as const };
  expect(workflowSentence({ status: 'failed', stages: failed, error: { code: 'stage-failed', message: 'stage a failed: boom' }, onFailure: tell })).toBe('Stage a failed: boom. Then tell ran.');
  expect(workflowSentence({ status: 'failed', stages: [{ ...base, state: 'failed' }] })).toBe('Stage s failed.');
  expect(workflowSentence({ status: 'running', stages: failed, onFailure: { ...base, name: 'tell', kind: 'on-failure', state: 'started' } })).toBe('Stage a failed; running tell.');
  expect(workflowSentence({ status: 'cancelled', stages })).toMatch(/^Cancelled/);
});

test("a stage's own task once it has one; a fan-out's children by their ids", () => {
  expect(stageTaskId({ ...base, state: 'started' })).toBe('w.s');
  expect(stageTaskId({ ...base, state: 'waiting' })).toBeUndefined();
  expect(stageTaskId({ ...fan, state: 'started' })).toBeUndefined();
  expect(isChildOf(fan, 'w.pages.12')).toBe(true);
  expect(isChildOf(fan, 'w.pages-x.1')).toBe(false);
  expect(isChildOf(fan, 'w.pages')).toBe(false);
});

const fanOutFlow: WorkflowDefinition = {
  name: 'flow',
  stages: [
    { name: 'plan', type: 'diagnostic', pass: ['sleepMs', 'parts'] },
    { name: 'parts', type: 'diagnostic', kind: 'fan-out', items: 'parts', itemParam: 'sleepMs' },
    { name: 'combine', type: 'diagnostic', kind: 'fan-in' },
  ],
  onFailure: { name: 'tell', type: 'diagnostic' },
};

test('a declared workflow before it runs: every stage waiting, in words with its kinds', () => {
  expect(previewStages(fanOutFlow).stages.map((s) => [s.name, s.kind, s.state])).toEqual([
    ['plan', 'task', 'waiting'],
    ['parts', 'fan-out', 'waiting'],
    ['combine', 'fan-in', 'waiting'],
  ]);
  expect(stagesInWords(fanOutFlow)).toBe('plan → parts (one per item) → combine (over all); if one fails: tell');
});

test("the first stage's form leaves out what the workflow's params cannot reach: fixed params, and what `pass` leaves out", () => {
  const props = ['sleepMs', 'failAttempts', 'parts', 'mode'];
  expect(unreachableParams(fanOutFlow.stages[0], props)).toEqual(['failAttempts', 'mode']);
  expect(unreachableParams({ name: 'list', type: 'api-harvest', params: { mode: 'list' } }, props)).toEqual(['mode']);
  expect(unreachableParams({ name: 'all', type: 'diagnostic' }, props)).toEqual([]);
  expect(unreachableParams({ name: 'none', type: 'diagnostic', pass: [] }, props)).toEqual(props);
});
