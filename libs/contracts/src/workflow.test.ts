import Ajv from 'ajv';
import { WORKFLOW_DEFINITION_SCHEMA, fanOutChildParams, stageParams, workflowProblems, type FanOutStage, type WorkflowDefinition } from './workflow';
import { DECLARED_WORKFLOWS } from './workflows';

const known = (t: string): boolean => ['a', 'b', 'c'].includes(t);

const harvest: WorkflowDefinition = {
  name: 'harvest',
  stages: [
    { name: 'list', type: 'a' },
    { name: 'pages', type: 'b', kind: 'fan-out', items: 'links', itemParam: 'url', pass: ['host'] },
    { name: 'combine', type: 'c', kind: 'fan-in' },
  ],
  onFailure: { name: 'tell', type: 'a' },
};

describe('workflow definitions', () => {
  const validate = new Ajv({ allErrors: true }).compile(WORKFLOW_DEFINITION_SCHEMA);

  it('accepts a chain, a fan-out with its fan-in and an on-failure stage', () => {
    expect(validate(harvest)).toBe(true);
    expect(workflowProblems(harvest, known)).toEqual([]);
  });

  it('every declared workflow passes the schema', () => {
    for (const w of DECLARED_WORKFLOWS) expect(validate(w)).toBe(true);
  });

  it('refuses a stage name that cannot be part of a task id and an unknown field', () => {
    expect(validate({ name: 'x', stages: [{ name: 'Bad.Name', type: 'a' }] })).toBe(false);
    expect(validate({ name: 'x', stages: [{ name: 'ok', type: 'a', extra: 1 }] })).toBe(false);
    expect(validate({ name: 'x', stages: [] })).toBe(false);
  });

  it('names each rule a schema cannot say', () => {
    const bad: WorkflowDefinition = {
      name: 'bad',
      stages: [
        { name: 'in', type: 'c', kind: 'fan-in' },
        { name: 'out', type: 'zzz', kind: 'fan-out', items: 'x', itemParam: 'y' },
        { name: 'after', type: 'a' },
        { name: 'after', type: 'workflow' },
      ],
    };
    expect(workflowProblems(bad, known)).toEqual([
      'stage "out": job type "zzz" is not enabled in this deployment',
      'stage name "after" is used twice',
      'stage "after": job type "workflow" is not enabled in this deployment',
      'stage "after": a stage cannot be a workflow',
      'stage "in": a fan-in must come right after a fan-out',
      'stage "out": a fan-out is followed by a fan-in or by nothing',
    ]);
    expect(workflowProblems({ name: 'f', stages: [{ name: 'x', type: 'a', kind: 'fan-out' } as FanOutStage] }, known)).toEqual([
      'stage "x": a fan-out needs "items" and "itemParam"',
    ]);
  });
});

describe('what a stage receives', () => {
  it('passes the picked keys over the fixed params', () => {
    expect(stageParams({ params: { a: 1, b: 1 }, pass: ['b'] }, { b: 2, c: 3 })).toEqual({ a: 1, b: 2 });
    expect(stageParams({ params: { a: 1 } }, { c: 3 })).toEqual({ a: 1, c: 3 });
    expect(stageParams({ pass: [] }, { c: 3 })).toEqual({});
  });

  it('gives each fan-out child its item, never the whole array', () => {
    const stage = harvest.stages[1] as FanOutStage;
    expect(fanOutChildParams(stage, { links: ['u1', 'u2'], host: 'h', other: 1 }, 'u2')).toEqual({ host: 'h', url: 'u2' });
    expect(fanOutChildParams({ ...stage, pass: undefined }, { links: ['u1'], host: 'h' }, 'u1')).toEqual({ host: 'h', url: 'u1' });
  });
});
