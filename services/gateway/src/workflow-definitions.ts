import { MAX_FAN_OUT, declaredWorkflow, fanOutChildParams, stageParams, workflowProblems, type FanOutStage, type WorkflowDefinition, type WorkflowSubmission } from '@taskyard/contracts';
import { InvalidParams, UnknownWorkflow } from './errors';
import type { JobCatalog } from './job-catalog';

/**
 * The definition a submission or a schedule names (a declared name or one inline), checked for what its
 * JSON Schema cannot say, and its first stage's params (the only ones known before it runs) against
 * that stage's job type. Throws a 400 naming the problem.
 */
export function resolveWorkflow(workflow: WorkflowSubmission['workflow'], params: Record<string, unknown>, catalog: JobCatalog): WorkflowDefinition {
  const def = typeof workflow === 'string' ? declaredWorkflow(workflow) : workflow;
  if (!def) throw new UnknownWorkflow(String(workflow));
  const problems = workflowProblems(def, (t) => catalog.types.has(t));
  if (problems.length) {
    throw new InvalidParams(`the workflow is not valid: ${problems.join('; ')}`, problems.map((message) => ({ instancePath: '/workflow', keyword: 'workflow', params: {}, message })));
  }
  const first = def.stages[0];
  if (first.kind !== 'fan-out') catalog.validate(catalog.get(first.type), stageParams(first, params));
  else checkFirstFanOut(first, params, catalog);
  // Later stages' params are known only in part: what is fixed in the definition gets its type's own check.
  [...def.stages, ...(def.onFailure ? [def.onFailure] : [])].forEach((s, i) => {
    if (s.params) catalog.check(s.type, s.params, s === def.onFailure ? 'workflow/onFailure/params' : `workflow/stages/${i}/params`);
  });
  return def;
}

/** A workflow that starts with a fan-out: each child's params are known now (its items are the workflow's). */
function checkFirstFanOut(stage: FanOutStage, params: Record<string, unknown>, catalog: JobCatalog): void {
  const items = params[stage.items];
  if (!Array.isArray(items) || items.length > MAX_FAN_OUT) return;
  items.forEach((item, i) => catalog.check(stage.type, fanOutChildParams(stage, params, item), `params/${stage.items}/${i}`));
}
