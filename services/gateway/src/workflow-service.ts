import { createHash, randomUUID } from 'node:crypto';
import { DECLARED_WORKFLOWS, WORKFLOW_TYPE, workflowProblems, type StageProgress, type WorkflowDefinition, type TaskStatus, type WorkflowSubmission, type WorkflowView } from '@taskyard/contracts';
import { readTask, type ListMarks, type TaskRecord } from '@taskyard/tasks';
import { startWorkflow, type LaunchDeps } from '@taskyard/workflows';
import type { Principal } from './api-keys';
import { Conflict, TaskNotFound } from './errors';
import { resolveWorkflow } from './workflow-definitions';
import type { InFlight } from './in-flight';
import type { JobCatalog } from './job-catalog';
import type { TaskCancellation } from './task-cancellation';
import type { TaskQueries } from './task-queries';
import { submitTag } from './tag-access';

export interface WorkflowAccepted {
  id: string;
  status: TaskStatus;
  statusUrl: string;
  created: boolean;
}

type WorkflowTaskRecord = TaskRecord & Required<Pick<TaskRecord, 'workflow'>>;

const iso = (d: Date | undefined): string | undefined => (d ? new Date(d).toISOString() : undefined);

/** A UUID (version 5 layout) named by the workflow it retries: a second retry request finds the first one's workflow. */
function retryId(workflowId: string): string {
  const h = createHash('sha1').update(`taskyard:workflow-retry:${workflowId}`).digest();
  h[6] = (h[6] & 0x0f) | 0x50;
  h[8] = (h[8] & 0x3f) | 0x80;
  const hex = h.subarray(0, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/**
 * Workflows over HTTP: submit (a declared one by name or a definition inline), view with its stages' live
 * states, cancel, retry from the failed stage. Starting one stores its parent task and its first stage's
 * task(s); after that only the status service writes either.
 */
export class WorkflowService {
  constructor(
    private readonly launch: LaunchDeps & { marks: ListMarks },
    private readonly catalog: JobCatalog,
    private readonly queries: TaskQueries,
    private readonly cancellation: TaskCancellation,
    private readonly inFlight: InFlight,
    private readonly timeoutMs: number,
  ) {}

  submit(who: Principal, body: WorkflowSubmission & { callbackUrl?: string }): Promise<WorkflowAccepted> {
    return this.inFlight.run(async () => {
      const params = body.params ?? {};
      const definition = resolveWorkflow(body.workflow, params, this.catalog);
      const started = await startWorkflow(this.launch, {
        id: randomUUID(),
        owner: who.principal,
        definition,
        params,
        title: body.title,
        tag: submitTag(who, body.tag),
      });
      return { ...started, statusUrl: `/v1/workflows/${started.id}` };
    });
  }

  /** The declared workflows this deployment can run: every stage's job type enabled here. */
  definitions(): WorkflowDefinition[] {
    return DECLARED_WORKFLOWS.filter((w) => workflowProblems(w, (t) => this.catalog.types.has(t)).length === 0);
  }

  private async record(who: Principal, id: string): Promise<WorkflowTaskRecord> {
    const task = await this.queries.full(who, id);
    if (task.type !== WORKFLOW_TYPE || !task.workflow) throw new TaskNotFound(id);
    return task as WorkflowTaskRecord;
  }

  async view(who: Principal, id: string): Promise<WorkflowView> {
    const t = await this.record(who, id);
    const live = async (s: StageProgress): Promise<WorkflowView['stages'][number]> => {
      // A fan-out has no task of its own (its children are counted on the workflow); the others, read by _id.
      if (s.kind === 'fan-out' || s.state === 'waiting' || s.state === 'skipped') return s;
      const task = await readTask<Pick<TaskRecord, '_id' | 'status' | 'progress'>>(this.launch.models.Task, s.taskId, { status: 1, progress: 1 }, this.timeoutMs);
      return task ? { ...s, taskStatus: task.status, taskProgress: task.progress } : s;
    };
    const w = t.workflow;
    return {
      id: t._id,
      name: w.definition.name,
      title: t.title,
      owner: t.owner,
      ...(t.tag ? { tag: t.tag } : {}),
      status: t.status,
      progress: t.progress,
      stages: await Promise.all(w.stages.map(live)),
      ...(w.onFailure ? { onFailure: await live(w.onFailure) } : {}),
      definition: w.definition,
      logs: t.logs ?? [],
      ...(t.error ? { error: t.error } : {}),
      ...(w.retryOf ? { retryOf: w.retryOf } : {}),
      createdAt: iso(t.createdAt)!,
      ...(t.startedAt ? { startedAt: iso(t.startedAt) } : {}),
      ...(t.finishedAt ? { finishedAt: iso(t.finishedAt) } : {}),
    };
  }

  async cancel(who: Principal, id: string): Promise<{ id: string; status: TaskStatus }> {
    await this.record(who, id);
    return this.cancellation.cancel(who, id);
  }

  /**
   * A failed workflow again from its failed stage, as a new workflow (`retryOf`): the stages before it are
   * `skipped`, the failed one receives what it received the first time. At most one retry per workflow.
   */
  async retry(who: Principal, id: string): Promise<WorkflowAccepted> {
    const t = await this.record(who, id);
    if (t.status !== 'failed') throw new Conflict(`only a failed workflow can be retried; workflow ${id} is ${t.status}`, { status: t.status });
    const w = t.workflow;
    const index = w.stages.findIndex((s) => s.state === 'failed');
    if (index < 0) throw new Conflict(`workflow ${id} has no failed stage to retry from`);
    const stage = w.definition.stages[index];
    const received = stage.kind === 'fan-out' ? await this.fanOutReceived(t, index) : w.received[stage.name] ?? {};
    const started = await this.inFlight.run(() =>
      startWorkflow(this.launch, {
        id: retryId(id),
        owner: t.owner,
        definition: w.definition,
        params: received,
        title: t.title,
        tag: t.tag,
        retry: { workflowId: id, fromStage: stage.name },
      }),
    );
    return { ...started, statusUrl: `/v1/workflows/${started.id}` };
  }

  /** What a fan-out received: its array is not kept on the workflow, so it comes again from the stage before (or the params). */
  private async fanOutReceived(t: WorkflowTaskRecord, index: number): Promise<Record<string, unknown>> {
    if (index === 0) return t.params;
    const before = t.workflow.stages[index - 1];
    const prev = await readTask<Pick<TaskRecord, '_id' | 'result'>>(this.launch.models.Task, before.taskId, { result: 1 }, this.timeoutMs);
    return prev?.result ?? {};
  }
}
