import { isTerminal, type TaskEvent } from '@taskyard/contracts';
import type { Logger } from '@taskyard/logging';
import type { ObjectStore } from '@taskyard/storage';
import { releaseSlot, type TaskModels } from '@taskyard/tasks';
import type { FoldTask } from './task-writes';

export interface DeletionDeps {
  models: TaskModels;
  store: ObjectStore;
  logger: Logger;
}

/** True when the events ask to delete a task that is finished (the gateway refuses the request otherwise; this checks again). */
export function deletionRequested(task: FoldTask, events: TaskEvent[]): boolean {
  return isTerminal(task.status) && events.some((e) => e.kind === 'delete-requested');
}

/**
 * Deletes a finished task: its artifacts in S3 (everything under `artifacts/<type>/<id>/`), its record
 * (with its logs), its request documents and any slot it still holds. Run by the status service, the
 * task's one writer, after the task's earlier events are folded; events after it find no task.
 */
export async function deleteTask(deps: DeletionDeps, task: FoldTask): Promise<void> {
  await deps.store.deleteKeys(task.artifacts.map((a) => a.key));
  await deps.store.deletePrefix(`artifacts/${task.type}/${task._id}/`);
  await deps.models.Task.collection.deleteOne({ _id: task._id } as never, { maxTimeMS: 15_000 });
  await deps.models.Outcome.collection.deleteOne({ _id: task._id } as never, { maxTimeMS: 15_000 });
  for (const kind of ['cancel', 'delete', 'retry']) await deps.models.TaskRequest.collection.deleteOne({ _id: `${task._id}:${kind}` } as never);
  if (task.slotId) await releaseSlot(deps.models.Slot, task.slotId, task._id);
  deps.logger.info({ taskId: task._id, type: task.type, artifacts: task.artifacts.length }, 'task deleted on request');
}
