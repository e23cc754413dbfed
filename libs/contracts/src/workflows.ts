import type { WorkflowDefinition } from './workflow';

/**
 * The workflows declared once for every deployment, submitted by name (`POST /v1/workflows
 * {workflow: '<name>', params}`) or named by a schedule's `{kind: 'workflow'}` template. A service that
 * brings a workflow adds its definition here (its stages' job types in job-types.ts).
 */
export const diagnosticChain: WorkflowDefinition = {
  name: 'diagnostic-chain',
  title: 'Diagnostic chain',
  description: 'The platform\'s own three-stage chain for tests and demos: each stage a diagnostic job.',
  stages: [
    { name: 'first', type: 'diagnostic', pass: ['sleepMs'] },
    { name: 'second', type: 'diagnostic', pass: [] },
    { name: 'third', type: 'diagnostic', pass: [], params: { artifactBytes: 16 } },
  ],
};

export const DECLARED_WORKFLOWS: WorkflowDefinition[] = [diagnosticChain];

export function declaredWorkflow(name: string): WorkflowDefinition | undefined {
  return DECLARED_WORKFLOWS.find((w) => w.name === name);
}
