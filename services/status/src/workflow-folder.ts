import { isTerminal, type ArtifactRef, type TaskEvent } from '@taskyard/contracts';
import { observeFold } from '@taskyard/tasks';
import { foldWorkflow, recordOutputs, runWorkflowEffects, type WorkflowTask } from '@taskyard/workflows';
import type { FolderDeps } from './event-folder';
import { applyEffects } from './fold-effects';
import { writeFold, type FoldTask } from './task-writes';

export interface WorkflowStep {
  state: WorkflowTask;
  changes: Partial<WorkflowTask> | null;
  /** The artifacts a finished fan-out leaves the workflow (its children's). */
  artifacts?: ArtifactRef[];
}

/**
 * Folds a batch of events into a task's workflow record and carries out what it decides. Order matters for
 * exactly once: first the fan-out children's outputs (unique inserts, then a recount), then the effects (the
 * next stage's task inserted under its deterministic id, cancels); the caller writes the parent after. A
 * restart anywhere repeats the batch, and every step before the write is a no-op the second time.
 */
export async function workflowStep(deps: FolderDeps, task: FoldTask, events: TaskEvent[]): Promise<WorkflowStep> {
  const outputs = await recordOutputs(deps.workflowModels, task._id, events);
  const { state, changes, effects } = foldWorkflow(task as unknown as WorkflowTask, events, { outputs, knownType: (t) => deps.jobTypes.has(t) });
  for (const e of events) deps.metrics.events.inc({ kind: e.kind, applied: String(changes !== null) });
  if (!changes) return { state, changes };
  const definition = task.workflow!.definition;
  const parent = { _id: task._id, owner: task.owner, tag: task.tag, title: task.title, stages: definition.stages, onFailure: definition.onFailure };
  const extra = await runWorkflowEffects(deps, parent, effects);
  return { state, changes, ...(extra.artifacts ? { artifacts: extra.artifacts } : {}) };
}

/** Folds a batch of a workflow's events into its parent task (type `workflow`), then writes it. */
export async function foldWorkflowTask(deps: FolderDeps, task: FoldTask, events: TaskEvent[]): Promise<void> {
  const { state, changes, artifacts } = await workflowStep(deps, task, events);
  if (!changes) return;
  const final = { ...changes, ...(artifacts ? { artifacts } : {}) };
  await writeFold(deps, task, final as Parameters<typeof writeFold>[2]);
  // The parent's end counts in the overview as a task's does (it has no attempts: its stages' tasks count theirs).
  const observed = observeFold(task, { ...task, ...(final as Partial<FoldTask>) });
  deps.metrics.observe(task.type, observed);
  deps.stats.record(task.type, task.owner, observed);
  if (state.status !== task.status && isTerminal(state.status)) {
    await applyEffects(deps, { ...task, ...(final as Partial<FoldTask>) }, [{ kind: 'terminal', status: state.status }]);
  }
}
