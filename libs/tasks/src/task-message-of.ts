import type { TaskMessage } from '@taskyard/contracts';
import type { TaskRecord } from './task-record';

type MessageFields = Pick<TaskRecord, '_id' | 'type' | 'owner' | 'title' | 'tag' | 'params' | 'maxAttempts' | 'parentId' | 'createdAt'> &
  Partial<Pick<TaskRecord, 'priority' | 'runAt' | 'stage'>>;

/** Rebuilds the broker message of a stored task (for a republish or a recovered attempt). */
export function taskMessageOf(t: MessageFields, attempt: number): TaskMessage {
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

/**
 * A first attempt's message from the task's whole record (just inserted, or read with its `slotId` and
 * `callbackUrl`): it carries them (`inserted`), so the run's first event is folded without a read. Never
 * from a projection without them: the status service would take the task for one holding no slot.
 */
export function firstMessageOf(t: MessageFields & Pick<TaskRecord, 'slotId' | 'callbackUrl'>): TaskMessage {
  return { ...taskMessageOf(t, 1), inserted: { ...(t.slotId ? { slotId: t.slotId } : {}), ...(t.callbackUrl ? { callbackUrl: t.callbackUrl } : {}) } };
}
