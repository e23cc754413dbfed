import { apiHarvestPaged } from './api-harvest';
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

/**
 * The platform's own fan-out for tests and demos: `plan` lists `parts` items, one diagnostic job per item
 * (each sleeping `sleepMs`), then `combine` once over all of them. `after-failure` runs if a stage fails.
 */
export const diagnosticFanOut: WorkflowDefinition = {
  name: 'diagnostic-fan-out',
  title: 'Diagnostic fan-out',
  description: "The platform's own fan-out for tests and demos: a first diagnostic job lists the parts, one diagnostic job runs per part, then one over all of them.",
  stages: [
    { name: 'plan', type: 'diagnostic', pass: ['sleepMs', 'parts'] },
    { name: 'parts', type: 'diagnostic', kind: 'fan-out', items: 'parts', itemParam: 'sleepMs', pass: [] },
    { name: 'combine', type: 'diagnostic', kind: 'fan-in', pass: [] },
  ],
  onFailure: { name: 'after-failure', type: 'diagnostic', pass: [] },
};

const CHECK_KEYS = ['schoolUUID', 'checkCode', 'duplicateOf'];

/**
 * Seed 004's check pipeline: receive (store as it came; a duplicate within a day is marked as such and every
 * later stage passes it by), validate, mark, notify complete; on a failure (validation or marking), notify
 * the processing failure (the check's state and the teacher's notice).
 */
export const checkPipeline: WorkflowDefinition = {
  name: 'check-pipeline',
  title: 'Completed check',
  description: "A pupil's completed check: received, validated, marked, and its outcome recorded for the school.",
  stages: [
    { name: 'receive', type: 'check-receiver' },
    { name: 'validate', type: 'check-validator', pass: CHECK_KEYS },
    { name: 'mark', type: 'check-marker', pass: CHECK_KEYS },
    { name: 'notify', type: 'check-notifier', pass: CHECK_KEYS, params: { outcome: 'complete' } },
  ],
  onFailure: { name: 'notify-failure', type: 'check-notifier', pass: CHECK_KEYS, params: { outcome: 'processing-failure' } },
};

/**
 * The assessment report over several batches: its task selects the batches, then continues as this workflow
 * (one child per batch on the same queue, each writing its own file); the report ends listing every child's
 * file, its own result (e.g. the batches it skipped) kept. A fan-out with nothing after it.
 */
export const assessmentReportBatches: WorkflowDefinition = {
  name: 'assessment-report-batches',
  title: 'Assessment report by batch',
  description: 'One report per batch, each its own task and file.',
  stages: [
    { name: 'batch', type: 'assessment-report', kind: 'fan-out', items: 'batches', itemParam: 'batchFilters', itemTitles: 'titles', pass: ['contentFilters', 'output_format'] },
  ],
};

export const DECLARED_WORKFLOWS: WorkflowDefinition[] = [diagnosticChain, diagnosticFanOut, checkPipeline, apiHarvestPaged, assessmentReportBatches];

export function declaredWorkflow(name: string): WorkflowDefinition | undefined {
  return DECLARED_WORKFLOWS.find((w) => w.name === name);
}
