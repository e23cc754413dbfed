import { declaredWorkflow, isTerminal, type TaskEvent } from '@taskyard/contracts';
import { LOG_CAP } from '@taskyard/tasks';
import { initialWorkflow, readEarlyEvents, runWorkflowEffects, type WorkflowTask } from '@taskyard/workflows';
import type { FolderDeps } from './event-folder';
import type { FoldTask } from './task-writes';
import { workflowStep, type WorkflowStep } from './workflow-folder';
import { keptFromRetriedTask } from './continuation-retry';

/**
 * A task whose handler continued as a workflow (the assessment report's fan-out over its batches): the task
 * keeps its type, slot, attempt and result; its `workflow` record is run by the workflow engine like a
 * workflow's, and when the workflow ends the task ends as any task does (a 'workflow-ended' event folded).
 */

/** The workflow's part of a fold: what it changed on the task, and how the task ends if it did. */
export interface WorkflowPart {
  changes: Partial<FoldTask>;
  end?: WorkflowEnded;
  /** Children's ends that came before the record (see early-events.ts), folded here: dropped once it is written. */
  early?: ChildFinished[];
}

type Continued = Extract<TaskEvent, { kind: 'continued-as-workflow' }>;
type ChildFinished = Extract<TaskEvent, { kind: 'child-finished' }>;
export type WorkflowEnded = Extract<TaskEvent, { kind: 'workflow-ended' }>;

/** The event that ends a task with its workflow (folded here, and published once written: see fold-effects). */
export function workflowEnded(task: Pick<FoldTask, '_id' | 'type'>, end: Pick<WorkflowEnded, 'status' | 'artifacts' | 'error'>, at: Date): WorkflowEnded {
  return { kind: 'workflow-ended', taskId: task._id, type: task.type, at: at.toISOString(), status: end.status, ...(end.artifacts ? { artifacts: end.artifacts } : {}), ...(end.error ? { error: end.error } : {}) };
}

/** Events the workflow folds once a task waits on it: its children's ends and a cancel (which reaches them). */
export const isWorkflowEvent = (e: TaskEvent): boolean => e.kind === 'child-finished' || e.kind === 'cancel-requested';

function partOf(task: FoldTask, step: Pick<WorkflowStep, 'state' | 'artifacts'>, changes: Partial<WorkflowTask>): WorkflowPart {
  const { workflow, logs, progress } = changes;
  const part: WorkflowPart = { changes: { ...(workflow ? { workflow } : {}), ...(logs ? { logs } : {}), ...(progress !== undefined ? { progress } : {}) } };
  const s = step.state;
  if (isTerminal(s.status)) {
    part.end = workflowEnded(task, { status: s.status as WorkflowEnded['status'], artifacts: step.artifacts ?? s.artifacts, error: s.error }, s.finishedAt ?? new Date());
  }
  return part;
}

/**
 * The run continued as a workflow: its record is made and its first stage started (children inserted under
 * deterministic ids, published as the broker confirms) BEFORE the task is written, so a restart in between
 * repeats the launch harmlessly. A workflow this deployment does not declare fails the task.
 */
export async function startContinuation(deps: FolderDeps, task: FoldTask, event: Continued): Promise<WorkflowPart> {
  const at = new Date(event.at);
  const definition = declaredWorkflow(event.workflow);
  if (!definition) {
    // Not declared here (the worker checks first: only a deployment of mixed versions gets here): an empty record, so the end applies.
    return { changes: { workflow: { definition: { name: event.workflow, stages: [] }, stages: [], received: {} } }, end: workflowEnded(task, { status: 'failed', error: { code: 'unknown-workflow', message: `the task continued as workflow "${event.workflow}", which is not declared` } }, at) };
  }
  const base = { _id: task._id, status: task.status, progress: task.progress, logs: [], artifacts: [], startedAt: task.startedAt };
  const reused = await keptFromRetriedTask(deps, task._id, definition, event.params);
  const init = initialWorkflow(base, definition, event.params, { knownType: (t) => deps.jobTypes.has(t), at, ...(reused ? { reused } : {}) });
  const parent = { _id: task._id, owner: task.owner, tag: task.tag, title: task.title, stages: definition.stages, onFailure: definition.onFailure };
  const extra = await runWorkflowEffects(deps, parent, init.effects);
  const logs = task.logs.concat(init.state.logs).slice(-LOG_CAP);
  const begun = { state: { ...init.state, logs }, ...extra };
  // Children that ended before this record was written (their ends overtook a requeued continuation): folded now,
  // read after the launch, so whatever a child told before this fold is in (one partition's batches run in turn).
  const early = isTerminal(init.state.status) ? [] : await readEarlyEvents(deps.workflowModels.EarlyEvent, task._id);
  if (early.length === 0) return partOf(task, begun, { workflow: init.state.workflow, logs, progress: init.state.progress });
  const later = await workflowStep(deps, { ...task, ...begun.state } as FoldTask, early);
  const { workflow, progress } = later.state;
  return { ...partOf(task, { state: later.state, artifacts: later.artifacts ?? extra.artifacts }, { workflow, logs: later.state.logs, progress }), early };
}

/** A batch of a waiting task's workflow events: folded and carried out, not yet written. */
export async function continuationStep(deps: FolderDeps, task: FoldTask, events: TaskEvent[]): Promise<WorkflowPart | undefined> {
  if (events.length === 0) return undefined;
  const step = await workflowStep(deps, task, events);
  return step.changes ? partOf(task, step, step.changes) : undefined;
}
