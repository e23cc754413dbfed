import type { ArtifactRef, TaskError } from './task-message';

/**
 * Workflows: stages of job types run one after another as the children of one parent task (type
 * `workflow`). Declared once here (workflows.ts) or submitted ad hoc (`POST /v1/workflows`, same shape).
 *
 * What a stage receives: the first stage, the workflow's params; every later stage, the `result` of the
 * stage before it (for a fan-in, what the fan-out received). `pass` picks the keys of what it receives that
 * go into its params, on top of its own fixed `params`. How it all runs: /work/coord/WORKFLOWS.md.
 */

/** The parent task's type. Not a job type: no queue, no worker; the status service runs it. */
export const WORKFLOW_TYPE = 'workflow';
export const MAX_WORKFLOW_STAGES = 20;
/** Most children one fan-out stage makes (seed 002's 1,000 pages). */
export const MAX_FAN_OUT = 1000;
/** Stage names go into task ids (`<workflowId>.<stage>[.<n>]`): lower case, no dots. */
export const STAGE_NAME_PATTERN = '^[a-z][a-z0-9-]{0,39}$';
export const WORKFLOW_NAME_PATTERN = '^[a-z][a-z0-9-]{0,63}$';

interface StageBase {
  /** Unique within the workflow; `^[a-z][a-z0-9-]{0,39}$`. */
  name: string;
  /** The job type that runs this stage. */
  type: string;
  title?: string;
  /** Fixed params of the stage; what it receives (filtered by `pass`) is merged over them. */
  params?: Record<string, unknown>;
  /** Keys of what the stage receives that go into its params; absent: all of them; `[]`: none. */
  pass?: string[];
}

/** One task. `kind` may be left out. */
export interface TaskStage extends StageBase {
  kind?: 'task';
}

/**
 * One child task per item of the array `items` names in what the stage receives (at most MAX_FAN_OUT);
 * each child gets its item in params under `itemParam` (beside the passed keys). The stage succeeds when
 * every child has; one child failed for good (after its own retries) fails the stage and cancels the rest.
 * Followed by a fan-in stage or by nothing (then the workflow ends listing every child's artifacts).
 */
export interface FanOutStage extends StageBase {
  kind: 'fan-out';
  items: string;
  itemParam: string;
  /** The key of an array of titles in what the stage receives, one per item (default: `<workflow title>: <stage> #<n>`). */
  itemTitles?: string;
}

/**
 * Runs once, after every child of the fan-out right before it succeeded. Receives what the fan-out
 * received; reads the children's outputs with `ctx.stageResults()` (worker) — one StageOutput each.
 */
export interface FanInStage extends StageBase {
  kind: 'fan-in';
}

export type WorkflowStage = TaskStage | FanOutStage | FanInStage;
export type StageKind = NonNullable<WorkflowStage['kind']>;

export interface WorkflowDefinition {
  /** `^[a-z][a-z0-9-]{0,63}$`; a declared workflow is submitted by this name. */
  name: string;
  title?: string;
  description?: string;
  /** Run in order, each after the one before it succeeded. */
  stages: WorkflowStage[];
  /**
   * Runs once when a stage fails for good (not on cancel), receiving what the failed stage received and
   * `task.stage.failure` (which stage, its error). The workflow is `failed` once it has run, whatever its outcome.
   */
  onFailure?: TaskStage;
}

/**
 * On a stage's task (the record's and the message's `stage`): which workflow and stage it belongs to.
 * Stage task ids: `<workflowId>.<stage>`; a fan-out child's `<workflowId>.<stage>.<n>` (n from 1).
 */
export interface StageRef {
  workflowId: string;
  stage: string;
  kind: StageKind | 'on-failure';
  /** A fan-out child: its item's index (0-based) in the fanned-out array. */
  item?: number;
  /** A fan-in: the fan-out stage whose children's outputs it reads. */
  resultsOf?: string;
  /** The on-failure stage: the stage that failed and why. */
  failure?: { stage: string; error: TaskError };
}

/** What a fan-out child left for the fan-in (stored once per child, read with `ctx.stageResults()`). */
export interface StageOutput {
  item: number;
  taskId: string;
  result?: Record<string, unknown>;
  artifacts: ArtifactRef[];
}

export const STAGE_STATES = ['waiting', 'started', 'succeeded', 'failed', 'cancelled', 'skipped'] as const;
/** A stage as the workflow's parent records it (the stage task's own status is on the stage task). */
export type StageState = (typeof STAGE_STATES)[number];

export interface StageProgress {
  name: string;
  type: string;
  kind: StageKind | 'on-failure';
  state: StageState;
  /** The stage's task (task, fan-in, on-failure); a fan-out's children are `<taskId>.<n>`, its own id has no task. */
  taskId: string;
  /** Fan-out: children made, finished and failed. */
  total?: number;
  done?: number;
  failed?: number;
  error?: TaskError;
}

/** The workflow's own record on its parent task (`workflow` field), written by the status service only. */
export interface WorkflowRecord {
  definition: WorkflowDefinition;
  stages: StageProgress[];
  /** Present once the on-failure stage started. */
  onFailure?: StageProgress;
  /** A retry: the workflow this one retries and the stage it started from. */
  retryOf?: { workflowId: string; fromStage: string };
  /**
   * What each started stage received (by stage name; a fan-out's without its array): the on-failure
   * stage and a retry start from it, a fan-in receives its fan-out's.
   */
  received: Record<string, Record<string, unknown>>;
}

/** `POST /v1/workflows`: a declared workflow by name, or a definition inline. */
export interface WorkflowSubmission {
  workflow: string | WorkflowDefinition;
  params?: Record<string, unknown>;
  title?: string;
  tag?: string;
}

/** `GET /v1/workflows/:id`. */
export interface WorkflowView {
  id: string;
  name: string;
  title: string;
  owner: string;
  tag?: string;
  status: string;
  progress: number;
  stages: (StageProgress & { taskStatus?: string; taskProgress?: number })[];
  onFailure?: StageProgress & { taskStatus?: string; taskProgress?: number };
  definition: WorkflowDefinition;
  logs: { at: string; level: string; message: string }[];
  error?: TaskError;
  retryOf?: { workflowId: string; fromStage: string };
  createdAt: string;
  startedAt?: string;
  finishedAt?: string;
}

export const stageTaskId = (workflowId: string, stage: string): string => `${workflowId}.${stage}`;
export const fanOutChildId = (workflowId: string, stage: string, n: number): string => `${workflowId}.${stage}.${n}`;

const stageSchema = (kinds: readonly string[]): Record<string, unknown> => ({
  type: 'object',
  additionalProperties: false,
  required: ['name', 'type'],
  properties: {
    name: { type: 'string', pattern: STAGE_NAME_PATTERN, description: 'Unique in the workflow; part of its tasks\' ids' },
    type: { type: 'string', minLength: 1, maxLength: 64, description: 'The job type that runs the stage' },
    kind: { type: 'string', enum: [...kinds], description: '`task` (default), `fan-out` (one child per item) or `fan-in` (one task over the fan-out\'s outputs)' },
    title: { type: 'string', maxLength: 200 },
    params: { type: 'object', additionalProperties: true, maxProperties: 100, description: 'Fixed params; what the stage receives is merged over them' },
    pass: { type: 'array', maxItems: 50, uniqueItems: true, items: { type: 'string', minLength: 1, maxLength: 64 }, description: 'Keys of what the stage receives that go into its params (absent: all)' },
    items: { type: 'string', minLength: 1, maxLength: 64, description: 'fan-out: the key of the array to fan out over' },
    itemParam: { type: 'string', minLength: 1, maxLength: 64, description: 'fan-out: the param each child gets its item under' },
    itemTitles: { type: 'string', minLength: 1, maxLength: 64, description: 'fan-out: the key of an array of titles, one per item, for the children' },
  },
});

/** JSON Schema of a WorkflowDefinition (the gateway validates ad hoc ones with it; the rules it cannot say are in workflowProblems). */
export const WORKFLOW_DEFINITION_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  required: ['name', 'stages'],
  properties: {
    name: { type: 'string', pattern: WORKFLOW_NAME_PATTERN },
    title: { type: 'string', maxLength: 200 },
    description: { type: 'string', maxLength: 2000 },
    stages: { type: 'array', minItems: 1, maxItems: MAX_WORKFLOW_STAGES, items: stageSchema(['task', 'fan-out', 'fan-in']) },
    onFailure: stageSchema(['task']),
  },
} as const;

/**
 * The rules of a definition a JSON Schema cannot say, each as a sentence naming the stage; none for a
 * good one. `knownType` says whether a job type is enabled here.
 */
export function workflowProblems(def: WorkflowDefinition, knownType: (type: string) => boolean): string[] {
  const problems: string[] = [];
  const names = new Set<string>();
  const all = [...def.stages, ...(def.onFailure ? [def.onFailure] : [])];
  for (const s of all) {
    if (names.has(s.name)) problems.push(`stage name "${s.name}" is used twice`);
    names.add(s.name);
    if (!knownType(s.type)) problems.push(`stage "${s.name}": job type "${s.type}" is not enabled in this deployment`);
    if (s.type === WORKFLOW_TYPE) problems.push(`stage "${s.name}": a stage cannot be a workflow`);
  }
  def.stages.forEach((s, i) => {
    const before = def.stages[i - 1];
    const after = def.stages[i + 1];
    if (s.kind === 'fan-out' && (!s.items || !s.itemParam)) problems.push(`stage "${s.name}": a fan-out needs "items" and "itemParam"`);
    const fanOutFields = s as Partial<FanOutStage>;
    if (s.kind !== 'fan-out' && (fanOutFields.items !== undefined || fanOutFields.itemParam !== undefined || fanOutFields.itemTitles !== undefined)) {
      problems.push(`stage "${s.name}": "items", "itemParam" and "itemTitles" belong to a fan-out stage`);
    }
    if (s.kind === 'fan-in' && before?.kind !== 'fan-out') problems.push(`stage "${s.name}": a fan-in must come right after a fan-out`);
    if (s.kind === 'fan-out' && after && after.kind !== 'fan-in') problems.push(`stage "${s.name}": a fan-out is followed by a fan-in or by nothing`);
  });
  if (def.onFailure?.kind && def.onFailure.kind !== 'task') problems.push('onFailure is one task stage');
  return problems;
}

/** What a stage receives, filtered by its `pass`, over its fixed params. */
export function stageParams(stage: Pick<StageBase, 'params' | 'pass'>, received: Record<string, unknown> | undefined): Record<string, unknown> {
  const passed = Object.entries(received ?? {}).filter(([k]) => !stage.pass || stage.pass.includes(k));
  return { ...(stage.params ?? {}), ...Object.fromEntries(passed) };
}

/** A fan-out child's params: the stage's params without the fanned-out array, and its own item under `itemParam`. */
export function fanOutChildParams(stage: FanOutStage, received: Record<string, unknown> | undefined, item: unknown): Record<string, unknown> {
  const rest = Object.fromEntries(Object.entries(received ?? {}).filter(([k]) => k !== stage.items));
  return { ...stageParams(stage, rest), [stage.itemParam]: item };
}
