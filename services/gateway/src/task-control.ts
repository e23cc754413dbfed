import { UNFINISHED_STATUSES, isTerminal, type TaskStatus } from '@taskyard/contracts';
import type { Logger } from '@taskyard/logging';
import { publishEvent, type ConfirmPublisher } from '@taskyard/messaging';
import { insertUnique, tasksWithEnds, type TaskModels, type TaskRecord } from '@taskyard/tasks';
import type { Principal } from './api-keys';
import { ApiFailure, BrokerDown, Conflict, InvalidParams } from './errors';
import type { InFlight } from './in-flight';
import type { JobCatalog } from './job-catalog';
import type { TaskQueries } from './task-queries';
import type { SubmitOutcome, TaskSubmission } from './task-submission';

export interface RetryOutcome extends SubmitOutcome {
  retryOf: string;
}

export interface BulkRetryOutcome {
  retried: { taskId: string; newTaskId: string }[];
  skipped: { taskId: string; reason: string }[];
  /** True when more failed tasks matched than one request retries: call again. */
  more: boolean;
}

/** Named limits of the operator routes. */
export const CONTROL_LIMITS = {
  /** "Failed since": at most this far back (one equality query per day). */
  bulkRetryDays: 31,
  /** Failed tasks retried by one bulk request at most. */
  bulkRetryMax: 200,
} as const;

const RETRIABLE: readonly TaskStatus[] = ['failed', 'cancelled'];
const DAY_MS = 86_400_000;

/** `YYYY-MM-DD` of every UTC day from `since`'s to `until`'s, newest first. */
export function daysBetween(since: Date, until: Date): string[] {
  const days: string[] = [];
  for (let t = Date.UTC(until.getUTCFullYear(), until.getUTCMonth(), until.getUTCDate()); t >= since.getTime() - DAY_MS + 1; t -= DAY_MS) {
    days.push(new Date(t).toISOString().slice(0, 10));
  }
  return days;
}

/**
 * Retry and delete of a task on its owner's or an admin's request. A retry is a NEW task linked to the
 * failed one by `retryOf` (the failed one keeps its status, logs and error: terminal states never change);
 * a task is retried at most once (the new task's unique scope `retry-of:<id>`), so a repeat returns the
 * same retry. A delete is a request to the status service, the task's one writer.
 */
export class TaskControl {
  constructor(
    private readonly models: TaskModels,
    private readonly queries: TaskQueries,
    private readonly submission: TaskSubmission,
    private readonly catalog: JobCatalog,
    private readonly publisher: ConfirmPublisher,
    private readonly logger: Logger,
    private readonly inFlight: InFlight,
    private readonly timeoutMs: number,
  ) {}

  async retry(who: Principal, id: string): Promise<RetryOutcome> {
    const task = await this.queries.view(who, id);
    return this.retryTask(task);
  }

  private async retryTask(task: Pick<TaskRecord, '_id' | 'status' | 'type' | 'owner' | 'title' | 'params' | 'tag' | 'priority' | 'parentId'>): Promise<RetryOutcome> {
    if (!RETRIABLE.includes(task.status)) {
      throw new Conflict(`only a failed or cancelled task can be retried; task ${task._id} is ${task.status}`, { status: task.status });
    }
    const def = this.catalog.get(task.type);
    if (def.upload) throw new Conflict(`a ${def.type} task cannot be retried: its upload is deleted when its run ends; submit the file again`);
    if (task.parentId) throw new Conflict(`task ${task._id} is a child of ${task.parentId}; retry the parent`);
    const outcome = await this.submission.submit({
      owner: task.owner,
      type: task.type,
      title: task.title,
      params: task.params,
      tag: task.tag,
      priority: task.priority,
      retryOf: task._id,
    });
    return { ...outcome, retryOf: task._id };
  }

  /**
   * Retries every failed task of a type that finished since `since` (the caller's own; an admin's: all,
   * or one owner's). Read by equality per finish day, never a range or a sort over the history.
   */
  async retryFailed(who: Principal, type: string, since: Date, owner?: string): Promise<BulkRetryOutcome> {
    const def = this.catalog.get(type);
    const now = new Date();
    if (Number.isNaN(since.getTime()) || since.getTime() > now.getTime() || now.getTime() - since.getTime() > CONTROL_LIMITS.bulkRetryDays * DAY_MS) {
      throw new InvalidParams(`since must be a time in the last ${CONTROL_LIMITS.bulkRetryDays} days`, [
        { instancePath: '/since', keyword: 'maximum', params: {}, message: `within the last ${CONTROL_LIMITS.bulkRetryDays} days` },
      ]);
    }
    const scope = who.role === 'admin' ? (owner ? { owner } : {}) : { owner: who.principal };
    const out: BulkRetryOutcome = { retried: [], skipped: [], more: false };
    for (const day of daysBetween(since, now)) {
      // One indexed field, one equality (INDEXES.md); the owner, status and time are checked here.
      const rows = await tasksWithEnds<TaskRecord>(this.models.Task, { failedKey: `${def.type}|${day}` }, {}, this.timeoutMs);
      for (const t of rows) {
        if (t.status !== 'failed' || (scope.owner && t.owner !== scope.owner)) continue;
        if (!t.finishedAt || new Date(t.finishedAt).getTime() < since.getTime()) continue;
        if (out.retried.length + out.skipped.length >= CONTROL_LIMITS.bulkRetryMax) {
          out.more = true;
          return out;
        }
        try {
          const r = await this.retryTask(t);
          if (r.created) out.retried.push({ taskId: t._id, newTaskId: r.id });
          else out.skipped.push({ taskId: t._id, reason: `already retried as ${r.id}` });
        } catch (err) {
          if (!(err instanceof ApiFailure)) throw err;
          out.skipped.push({ taskId: t._id, reason: `${err.code}: ${err.message}` });
        }
      }
    }
    return out;
  }

  remove(who: Principal, id: string): Promise<{ id: string; status: 'deleting' }> {
    return this.inFlight.run(async () => {
      const task = await this.queries.view(who, id);
      if (!isTerminal(task.status)) {
        const hint = UNFINISHED_STATUSES.includes(task.status) ? '; cancel it first' : '';
        throw new Conflict(`task ${id} is ${task.status} and cannot be deleted until it finishes${hint}`, { status: task.status });
      }
      // One request per task however many race; only the winner publishes.
      const requestId = `${id}:delete`;
      if (await insertUnique(this.models.TaskRequest, { _id: requestId, taskId: id, kind: 'delete', by: who.principal, at: new Date() })) {
        try {
          await publishEvent(this.publisher, { kind: 'delete-requested', taskId: id, type: task.type, requestedBy: who.principal });
        } catch (err) {
          this.logger.warn({ taskId: id, err: (err as Error).message }, 'delete request not published; withdrawn');
          await this.models.TaskRequest.collection.deleteOne({ _id: requestId } as never);
          throw new BrokerDown('the delete request could not be delivered; try again shortly');
        }
      }
      return { id, status: 'deleting' as const };
    });
  }
}
