import type { TaskMessage } from '@taskyard/contracts';
import type { TaskRecord } from '@taskyard/tasks';

type MessageFields = Pick<TaskRecord, '_id' | 'type' | 'owner' | 'title' | 'tag' | 'params' | 'maxAttempts' | 'parentId' | 'createdAt'>;

/** The first attempt's message, rebuilt from the stored task (so the outbox need keep nothing but the id). */
export function firstAttemptMessage(task: MessageFields): TaskMessage {
  return {
    id: task._id,
    type: task.type,
    owner: task.owner,
    title: task.title,
    ...(task.tag !== undefined && task.tag !== null ? { tag: task.tag } : {}),
    params: task.params,
    attempt: 1,
    maxAttempts: task.maxAttempts,
    ...(task.parentId ? { parentId: task.parentId } : {}),
    createdAt: new Date(task.createdAt).toISOString(),
  };
}
