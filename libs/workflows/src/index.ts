export { foldWorkflow, initialWorkflow, workflowProgress } from './workflow-fold';
export type { WorkflowTask, WorkflowEffect, WorkflowFoldContext, WorkflowFoldResult } from './workflow-fold';
export { runWorkflowEffects, LAUNCH_BATCH } from './stage-launch';
export type { LaunchDeps, WorkflowParent } from './stage-launch';
export { workflowModels, ensureWorkflowIndexes, recordOutputs, readStageOutputs, reuseOutputs, outputsKey } from './stage-outputs';
export type { WorkflowModels, StageOutputRecord } from './stage-outputs';
export { startWorkflow } from './workflow-start';
export type { StartWorkflowInput, StartedWorkflow } from './workflow-start';
