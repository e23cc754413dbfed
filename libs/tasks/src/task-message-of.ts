import type { TaskMessage } from '@taskyard/contracts';
import type { TaskRecord } from './task-record';

/** Rebuilds the broker message of a stored task (for a republish or a recovered attempt). */
export function taskMessageOf(
  t: Pick<TaskRecord, '_id' | 'type' | 'owner' | 'title' | 'tag' | 'params' | 'maxAttempts' | 'parentId' | 'createdAt'> &
    Partial<Pick<TaskRecord, 'priority' | 'runAt' | 'stage'>>,
  attempt: number,
): TaskMessage {
  return {
    id: t._id,
    type: t.type,
    owner: t.owner,
    title: t.title,
    ...(t.tag ? { tag: t.tag } : {}),
    params: t.params,
    attempt,
    maxAttempts: t.maxAttempts,
    ...(t.parentId ? { parentId: t.parentId } : {}),
    createdAt: new Date(t.createdAt).toISOString(),
    ...(t.priority && t.priority !== 'normal' ? { priority: t.priority } : {}),
    ...(t.runAt ? { runAt: new Date(t.runAt).toISOString() } : {}),
    ...(t.stage ? { stage: t.stage } : {}),
  };
}
