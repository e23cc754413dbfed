import type { Logger } from '@taskyard/logging';
import { dispatchTask, type ConfirmPublisher } from '@taskyard/messaging';
import type { NewTask } from './new-task';
import { isDuplicateKey, type TaskModels } from './task-model';
import { taskMessageOf } from './task-message-of';

/** Where a stored task's first message went: confirmed by the broker, left to the outbox relay, or neither. */
export type DispatchResult = 'published' | 'outboxed' | 'failed';

/**
 * Publishes a just-inserted task with a confirm (to its queue, or to the scheduled waits while its runAt
 * is ahead). Unconfirmed, it goes to the outbox for the relay, and the task stands. 'failed' when neither
 * worked (broker and database both failing): the caller withdraws the task.
 */
export async function dispatchOrOutbox(models: Pick<TaskModels, 'Outbox'>, publisher: ConfirmPublisher, task: NewTask, logger: Logger): Promise<DispatchResult> {
  try {
    await dispatchTask(publisher, taskMessageOf(task, 1));
    return 'published';
  } catch (err) {
    logger.warn({ taskId: task._id, err: (err as Error).message }, 'publish not confirmed; task left in the outbox');
  }
  try {
    await models.Outbox.collection.insertOne({ _id: task._id, createdAt: new Date() } as never);
  } catch (err) {
    if (!isDuplicateKey(err)) {
      logger.error({ taskId: task._id, err: (err as Error).message }, 'task neither published nor in the outbox');
      return 'failed';
    }
  }
  return 'outboxed';
}
