import type { WorkflowDefinition, WorkflowStage, WorkflowView } from '@taskyard/contracts';

export type StageTone = 'waiting' | 'queued' | 'running' | 'succeeded' | 'failed' | 'cancelled' | 'skipped';

export interface StageDisplay {
  tone: StageTone;
  /** What the stage's box says under its name, e.g. "running", "37 of 120 done". */
  label: string;
}

export type Stage = WorkflowView['stages'][number];

const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;

/** A fan-out's count: "37 of 120 done", with the failed ones when there are any. */
function fanOutCount(stage: Stage): string {
  const failed = stage.failed ? `, ${stage.failed} failed` : '';
  return `${stage.done ?? 0} of ${stage.total ?? 0} done${failed}`;
}

/** What a stage's box shows: the workflow's record of it, refined by its task's own status (queued or running). */
export function stageDisplay(stage: Stage): StageDisplay {
  const fanOut = stage.kind === 'fan-out';
  switch (stage.state) {
    case 'waiting':
      return { tone: 'waiting', label: 'not started' };
    case 'skipped':
      return { tone: 'skipped', label: 'skipped (done before)' };
    case 'succeeded':
      return { tone: 'succeeded', label: fanOut ? `${stage.total ?? 0} of ${stage.total ?? 0} done` : 'succeeded' };
    case 'failed':
      return { tone: 'failed', label: fanOut ? `failed: ${fanOutCount(stage)}` : 'failed' };
    case 'cancelled':
      return { tone: 'cancelled', label: fanOut && stage.total ? `cancelled: ${stage.done ?? 0} of ${stage.total} done` : 'cancelled' };
    case 'started':
      if (fanOut) return { tone: 'running', label: stage.total ? fanOutCount(stage) : 'making its tasks' };
      if (stage.taskStatus === 'queued' || stage.taskStatus === 'scheduled') return { tone: 'queued', label: 'queued' };
      if (stage.taskStatus === 'retrying') return { tone: 'running', label: 'retrying' };
      return { tone: 'running', label: stage.taskProgress ? `running ${stage.taskProgress}%` : 'running' };
  }
}

/** One sentence for a screen reader: every stage in order with its state. */
export function graphSummary(view: Pick<WorkflowView, 'stages' | 'onFailure'>): string {
  const parts = view.stages.map((s, i) => `${i + 1}. ${s.name}: ${stageDisplay(s).label}`);
  if (view.onFailure) parts.push(`on failure, ${view.onFailure.name}: ${stageDisplay(view.onFailure).label}`);
  return `Stages: ${parts.join('; ')}.`;
}

/** Where the workflow stands, in one line beside its status. */
export function workflowSentence(view: Pick<WorkflowView, 'status' | 'stages' | 'onFailure' | 'error'>): string {
  const n = view.stages.length;
  const failed = view.stages.find((s) => s.state === 'failed');
  switch (view.status) {
    case 'succeeded':
      return `All ${plural(n, 'stage')} done.`;
    case 'failed':
    {
      // The stage's own error: the workflow's repeats it behind "stage <name> failed: ".
      const why = failed?.error?.message ?? view.error?.message;
      const then = view.onFailure ? ` Then ${view.onFailure.name} ran.` : '';
      return `${failed ? `Stage ${failed.name} failed` : 'Failed'}${why ? `: ${why}.` : '.'}${then}`;
    }
    case 'cancelled':
      return 'Cancelled: its running stages were stopped.';
  }
  if (view.onFailure && view.onFailure.state === 'started') return `Stage ${failed?.name ?? '?'} failed; running ${view.onFailure.name}.`;
  const at = view.stages.findIndex((s) => s.state === 'started');
  if (at < 0) return 'Waiting for its first stage.';
  return `Stage ${at + 1} of ${n}, ${view.stages[at].name}: ${stageDisplay(view.stages[at]).label}.`;
}

/** The stage's own task, once it has one (a fan-out has only children: see fanOutChildren). */
export function stageTaskId(stage: Stage): string | undefined {
  if (stage.kind === 'fan-out' || stage.state === 'waiting' || stage.state === 'skipped') return undefined;
  return stage.taskId;
}

/** A fan-out's children among a workflow's stage tasks: their ids are `<stage task id>.<n>`. */
export const isChildOf = (stage: Pick<Stage, 'taskId'>, taskId: string): boolean => taskId.startsWith(`${stage.taskId}.`);

/** A declared workflow's stages as a workflow not started yet shows them (all waiting): the picture before it runs. */
export function previewStages(def: WorkflowDefinition): Pick<WorkflowView, 'id' | 'stages' | 'definition'> {
  const waiting = (s: WorkflowStage): Stage => ({ name: s.name, type: s.type, kind: s.kind ?? 'task', state: 'waiting', taskId: s.name });
  return { id: def.name, stages: def.stages.map(waiting), definition: def };
}

/**
 * The first stage's params the workflow's own params never reach, so its form leaves them out: those the
 * stage fixes itself, and, when it lists what it takes (`pass`), every other one.
 */
export function unreachableParams(first: WorkflowStage, properties: string[]): string[] {
  const fixed = Object.keys(first.params ?? {});
  return properties.filter((p) => fixed.includes(p) || (first.pass !== undefined && !first.pass.includes(p)));
}

/** The stages in words, for a list of workflows: "plan → parts (one per item) → combine; if one fails: tell". */
export function stagesInWords(def: WorkflowDefinition): string {
  const word = (s: WorkflowStage): string => (s.kind === 'fan-out' ? `${s.name} (one per item)` : s.kind === 'fan-in' ? `${s.name} (over all)` : s.name);
  return `${def.stages.map(word).join(' → ')}${def.onFailure ? `; if one fails: ${def.onFailure.name}` : ''}`;
}
