import { declaredWorkflow, stageParams, workflowProblems, type WorkflowDefinition, type WorkflowSubmission } from '@taskyard/contracts';
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
  return def;
}
