import { isTerminal, type TaskEvent, type TaskStatus, type TaskUpdate } from '@taskyard/contracts';
import { foldAll, type FoldContext, type TaskState } from '@taskyard/tasks';

export type { TaskUpdate };

/**
 * What a stream's client sees of a task's events: they are folded into the snapshot with the status
 * service's own state machine, so `status` is what the task will read once folded (started → running,
 * failed → retrying or failed, a cancel of a queued task → cancelled...), and a duplicate, stale or
 * heartbeat-only event sends nothing.
 */
export class TaskStream {
  constructor(
    private state: TaskState,
    private readonly ctx: FoldContext,
  ) {}

  get status(): TaskStatus {
    return this.state.status;
  }

  get finished(): boolean {
    return isTerminal(this.state.status);
  }

  /**
   * The update to send for an event, or undefined when it changes nothing the client shows. Folded as the
   * status service folds it (foldAll): a fast job's outcome carries its start and stands for both.
   */
  apply(event: TaskEvent): TaskUpdate | undefined {
    const { state, changes } = foldAll(this.state, [event], this.ctx);
    if (!changes) return this.stageFinished(event);
    const before = this.state;
    this.state = state;
    const logs = 'logs' in event && event.logs?.length ? event.logs : undefined;
    const visible = state.status !== before.status || state.progress !== before.progress || state.attempt !== before.attempt || logs;
    if (!visible && event.kind !== 'cancel-requested') return undefined;
    return {
      kind: event.kind,
      at: event.at,
      status: state.status,
      progress: state.progress,
      attempt: state.attempt,
      ...(logs ? { logs } : {}),
    };
  }

  /**
   * A workflow's stage (or fan-out child) finished. The stream cannot fold it: a workflow's stages are folded
   * by the status service into its workflow record, which the stream does not keep. So the client is told
   * something moved, with the state as the stream knows it, and reads the workflow again (so does a task
   * continued as a workflow, e.g. an assessment report's batches). Its end comes as `workflow-ended`, folded above.
   */
  private stageFinished(event: TaskEvent): TaskUpdate | undefined {
    if (event.kind !== 'child-finished' || this.finished) return undefined;
    return { kind: event.kind, at: event.at, status: this.state.status, progress: this.state.progress, attempt: this.state.attempt };
  }
}
