import type { ConsumeMessage } from 'amqplib';
import type { TaskMessage } from '@taskyard/contracts';
import type { Logger } from '@taskyard/logging';
import { parseJson, publishEvent, publishScheduled, publishTask, type ConfirmPublisher, type Settlement } from '@taskyard/messaging';
import { readTask, type TaskModels, type TaskRecord } from '@taskyard/tasks';
import type { SchedulerMetrics } from './scheduler-metrics';

export interface DueReleaseDeps {
  models: TaskModels;
  publisher: ConfirmPublisher;
  logger: Logger;
  metrics: SchedulerMetrics;
}

/**
 * A message out of a wait queue (`tasks.scheduled.due`): if its runAt is still ahead, on to the next wait;
 * if it has come and the task still waits (not cancelled or deleted meanwhile), to its queue, then the
 * `released` event (scheduled → queued). Publishing first means a crash in between only repeats the
 * publish (workers ignore a duplicate), never leaves a task queued with no message.
 */
export async function onDue(deps: DueReleaseDeps, msg: ConsumeMessage, now = Date.now()): Promise<Settlement> {
  const task = parseJson<TaskMessage>(msg.content);
  const runAt = Date.parse(task.runAt ?? '');
  if (runAt > now) {
    await publishScheduled(deps.publisher, task, now);
    deps.metrics.forwarded.inc();
    return 'ack';
  }
  const current = await readTask<Pick<TaskRecord, '_id' | 'status'>>(deps.models.Task, task.id, { status: 1 }, 10_000);
  if (!current || current.status !== 'scheduled') return 'ack';
  await publishTask(deps.publisher, task);
  await publishEvent(deps.publisher, { kind: 'released', taskId: task.id, type: task.type });
  deps.metrics.released.inc({ type: task.type });
  if (Number.isFinite(runAt)) deps.metrics.releaseLateness.observe((now - runAt) / 1000);
  return 'ack';
}
