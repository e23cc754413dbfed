import { isDeepStrictEqual } from 'node:util';
import { fanOutChildParams, type WorkflowDefinition } from '@taskyard/contracts';
import type { TaskRecord } from '@taskyard/tasks';
import { reuseOutputs } from '@taskyard/workflows';
import type { FolderDeps } from './event-folder';

const READ_TIMEOUT_MS = 15_000;

/**
 * A task retried through the task API (`POST /v1/tasks/:id/retry`: a new task with `retryOf`) whose handler
 * continues as a workflow again, e.g. a failed assessment report: its first fan-out keeps what the failed
 * task's children that succeeded left, as a workflow retry does (the outputs copied under the new task's
 * child ids by unique inserts, see reuseOutputs), so only the items that did not succeed run again. The
 * handler made the items afresh (the data may have changed since): an output is kept only if the failed
 * child ran exactly the child the new item makes (same params). Answers the kept items, if any.
 */
export async function keptFromRetriedTask(deps: FolderDeps, taskId: string, definition: WorkflowDefinition, params: Record<string, unknown>): Promise<Set<number> | undefined> {
  const first = definition.stages[0];
  if (first?.kind !== 'fan-out') return undefined;
  const items = params[first.items];
  if (!Array.isArray(items)) return undefined;
  // Only on a continuation (a fan-out's start), never on a plain task's fold: one read by `_id`.
  const task = (await deps.models.Task.collection.findOne({ _id: taskId } as never, { projection: { retryOf: 1 }, maxTimeMS: READ_TIMEOUT_MS })) as Pick<TaskRecord, 'retryOf'> | null;
  if (!task?.retryOf) return undefined;
  const kept = await reuseOutputs(deps.workflowModels, task.retryOf, taskId, first.name, async (out) => {
    if (out.item >= items.length) return false;
    const child = (await deps.models.Task.collection.findOne({ _id: out.taskId } as never, { projection: { params: 1 }, maxTimeMS: READ_TIMEOUT_MS })) as Pick<TaskRecord, 'params'> | null;
    return child !== null && isDeepStrictEqual(child.params, fanOutChildParams(first, params, items[out.item]));
  });
  return kept.size ? kept : undefined;
}
