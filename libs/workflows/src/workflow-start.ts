import { WORKFLOW_TYPE, type WorkflowDefinition, type WorkflowRecord } from '@taskyard/contracts';
import { isDuplicateKey, listKeys, withoutUndefined, type ListMarks, type TaskRecord } from '@taskyard/tasks';
import { runWorkflowEffects, type LaunchDeps } from './stage-launch';
import { initialWorkflow } from './workflow-fold';
import { reuseOutputs } from './stage-outputs';

export interface StartWorkflowInput {
  id: string;
  owner: string;
  definition: WorkflowDefinition;
  params: Record<string, unknown>;
  title?: string;
  tag?: string;
  callbackUrl?: string;
  scheduleId?: string;
  occurrenceId?: string;
  /** A retry: the workflow it retries, the stage it starts from and what that stage received. */
  retry?: { workflowId: string; fromStage: string };
}

export interface StartedWorkflow {
  id: string;
  status: TaskRecord['status'];
  /** False when a workflow of this id existed (a repeated occurrence, a retried request). */
  created: boolean;
}

/**
 * Stores a workflow's parent task (type `workflow`, `running`, its first stage started in its record) and
 * then starts that stage's task(s). Started again with the same id (a crash between the two), the parent's
 * insert is a duplicate and the stage's launch repeats harmlessly: its task ids are deterministic.
 */
export async function startWorkflow(deps: LaunchDeps & { marks: ListMarks }, input: StartWorkflowInput): Promise<StartedWorkflow> {
  const now = new Date();
  const from = input.retry ? input.definition.stages.findIndex((s) => s.name === input.retry!.fromStage) : 0;
  const title = input.title?.trim() || input.definition.title || input.definition.name;
  const base = { _id: input.id, status: 'running' as const, progress: 0, logs: [], artifacts: [], startedAt: now };
  // A retried fan-out runs only the children that did not succeed (their outputs are kept under the retry's ids).
  const reused = input.retry && input.definition.stages[from]?.kind === 'fan-out' ? await reuseOutputs(deps.workflowModels, input.retry.workflowId, input.id, input.retry.fromStage) : undefined;
  const { state, effects } = initialWorkflow(base, input.definition, input.params, {
    from: Math.max(0, from),
    knownType: (t) => deps.jobTypes.has(t),
    at: now,
    ...(input.retry ? { retryOf: input.retry } : {}),
    ...(reused ? { reused } : {}),
  });
  const task = withoutUndefined({
    ...state,
    type: WORKFLOW_TYPE,
    title,
    owner: input.owner,
    tag: input.tag,
    params: input.params,
    attempt: 1,
    maxAttempts: 1,
    callbackUrl: input.callbackUrl,
    createdAt: now,
    queuedAt: now,
    scheduleId: input.scheduleId,
    occurrenceId: input.occurrenceId,
    retryOf: input.retry?.workflowId,
  }) as TaskRecord & { workflow: WorkflowRecord };
  task.lk = listKeys(task);
  await deps.marks.ensureFor(task);
  let created = true;
  try {
    await deps.models.Task.collection.insertOne(task as never);
  } catch (err) {
    if (!isDuplicateKey(err)) throw err;
    created = false;
  }
  await runWorkflowEffects(deps, { _id: task._id, owner: task.owner, tag: task.tag, title, stages: input.definition.stages, onFailure: input.definition.onFailure }, effects);
  return { id: task._id, status: task.status, created };
}
