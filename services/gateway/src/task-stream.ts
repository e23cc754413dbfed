import { isTerminal, type TaskEvent, type TaskStatus, type TaskUpdate } from '@taskyard/contracts';
import { foldAll, type FoldContext, type TaskState } from '@taskyard/tasks';

export type { TaskUpdate };

/** How far a task has gone within an attempt (a terminal status is the furthest). */
const STAGE: Record<TaskStatus, number> = { scheduled: 0, queued: 0, running: 1, retrying: 2, succeeded: 3, failed: 3, cancelled: 3, expired: 4 };

/** True when `stored` is further on than `shown`: a later attempt, a later stage of the same one, or more progress. */
export function isAhead(stored: Pick<TaskState, 'status' | 'attempt' | 'progress'>, shown: Pick<TaskState, 'status' | 'attempt' | 'progress'>): boolean {
  if (isTerminal(shown.status)) return false;
  if (stored.attempt !== shown.attempt) return stored.attempt > shown.attempt;
  if (STAGE[stored.status] !== STAGE[shown.status]) return STAGE[stored.status] > STAGE[shown.status];
  return (stored.progress ?? 0) > (shown.progress ?? 0);
}

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
   * The task as stored, read again: when it is ahead of what the stream has folded (it missed events:
   * published before it subscribed, or during a broker reconnect), it is taken, and sent as an update of
   * kind `stored`; otherwise nothing (the stored task lags behind the live events as a rule).
   */
  catchUp(stored: TaskState): TaskUpdate | undefined {
    if (!isAhead(stored, this.state)) return undefined;
    this.state = stored;
    return { kind: 'stored', at: new Date().toISOString(), status: stored.status, progress: stored.progress, attempt: stored.attempt };
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
