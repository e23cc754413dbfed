import type { TaskMessage } from '@taskyard/contracts';
import type { TaskRecord } from './task-record';

/**
 * The broker message of a stored task (its first publish, a republish or a recovered attempt). A first
 * attempt's carries what the record holds beyond the message (`inserted`), for the run's first event.
 */
export function taskMessageOf(
  t: Pick<TaskRecord, '_id' | 'type' | 'owner' | 'title' | 'tag' | 'params' | 'maxAttempts' | 'parentId' | 'createdAt'> &
    Partial<Pick<TaskRecord, 'priority' | 'runAt' | 'stage' | 'slotId' | 'callbackUrl'>>,
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
    ...(attempt === 1 ? { inserted: { ...(t.slotId ? { slotId: t.slotId } : {}), ...(t.callbackUrl ? { callbackUrl: t.callbackUrl } : {}) } } : {}),
  };
}
