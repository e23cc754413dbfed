import type { ConsumeMessage } from 'amqplib';
import type { TaskMessage } from '@taskyard/contracts';
import { parseJson, publishDeadLetter, publishEvent, type ConfirmPublisher, type Settlement } from '@taskyard/messaging';

/**
 * A task whose message outlived its queue's TTL arrives here (dead-lettered by the broker): it fails
 * with `expired-in-queue`, and the message moves on to the type's dead-letter queue for admins.
 */
export async function onExpiredMessage(publisher: ConfirmPublisher, msg: ConsumeMessage): Promise<Settlement> {
  const task = parseJson<TaskMessage>(msg.content);
  const error = { code: 'expired-in-queue', message: 'The task waited in its queue longer than its type allows.' };
  await publishEvent(publisher, { kind: 'expired-in-queue', taskId: task.id, type: task.type });
  await publishDeadLetter(publisher, task, error);
  return 'ack';
}
