import { randomUUID } from 'node:crypto';
import {
  DEAD_LETTER_EXCHANGE,
  HEADER,
  TASK_EVENTS_EXCHANGE,
  TASKS_EXCHANGE,
  DEFAULT_PRIORITY,
  delayQueueName,
  timerQueueName,
  priorityRoutingKey,
  eventRoutingKey,
  type TaskError,
  type TaskEvent,
  type TaskEventInput,
  type TaskMessage,
} from '@taskyard/contracts';
import type { ConfirmPublisher } from './confirm-publisher';
import { waitFor } from './scheduled-waits';

/** Publishes a task to its type's queue of its priority. Message id = task id, persistent, confirmed. */
export function publishTask(p: ConfirmPublisher, task: TaskMessage, opts: { republished?: boolean } = {}): Promise<void> {
  return p.publish(TASKS_EXCHANGE, priorityRoutingKey(task.type, task.priority ?? DEFAULT_PRIORITY), task, {
    messageId: task.id,
    headers: { [HEADER.taskId]: task.id, [HEADER.attempt]: task.attempt, ...(opts.republished ? { [HEADER.republished]: true } : {}) },
  });
}

/** Publishes the next attempt to the back-off delay queue of its priority; it reaches its work queue after `delayMs`. */
export function publishRetry(p: ConfirmPublisher, task: TaskMessage, delayMs: number, opts: { claimRun?: boolean } = {}): Promise<void> {
  return p.publish('', delayQueueName(task.type, delayMs, task.priority ?? DEFAULT_PRIORITY), task, {
    messageId: task.id,
    headers: { [HEADER.taskId]: task.id, [HEADER.attempt]: task.attempt, ...(opts.claimRun ? { [HEADER.claimRun]: true } : {}) },
  });
}

/** Puts a task that failed for good into `tasks.<type>.dead`, with the reason, for admins to inspect and replay. */
export function publishDeadLetter(p: ConfirmPublisher, task: TaskMessage, error: TaskError): Promise<void> {
  return p.publish(DEAD_LETTER_EXCHANGE, task.type, task, {
    messageId: task.id,
    headers: {
      [HEADER.taskId]: task.id,
      [HEADER.attempt]: task.attempt,
      [HEADER.errorCode]: error.code,
      [HEADER.errorMessage]: error.message.slice(0, 500),
      'x-taskyard-dead-at': new Date().toISOString(),
    },
  });
}

/** Publishes a status event on `task-events` (`<type>.<kind>`); the `task-id` header picks its partition. */
export function publishEvent(p: ConfirmPublisher, input: TaskEventInput): Promise<void> {
  const event = { ...input, at: input.at ?? new Date().toISOString() } as TaskEvent;
  return p.publish(TASK_EVENTS_EXCHANGE, eventRoutingKey(event.type, event.kind, event.taskId), event, {
    messageId: randomUUID(),
    headers: { 'task-id': event.taskId },
  });
}

/**
 * Arms a status-service timer: the event reaches the task's status partition after `delayMs` (rounded to
 * a timer queue's delay, see declareTimerQueues). Never seen by the gateway's event stream.
 */
export function publishTimer(p: ConfirmPublisher, input: TaskEventInput, delayMs: number): Promise<void> {
  const event = { ...input, at: input.at ?? new Date().toISOString() } as TaskEvent;
  return p.publish('', timerQueueName(Math.max(1000, Math.round(delayMs / 1000) * 1000)), event, {
    messageId: randomUUID(),
    headers: { 'task-id': event.taskId },
  });
}

export function parseJson<T>(content: Buffer): T {
  return JSON.parse(content.toString('utf8')) as T;
}

/** Sends a task with a future `runAt` to the longest wait queue that does not pass it (the scheduler forwards it from there). */
export function publishScheduled(p: ConfirmPublisher, task: TaskMessage, now = Date.now()): Promise<void> {
  const wait = waitFor(Date.parse(task.runAt ?? '') - now);
  return p.publish('', wait.queue, task, { messageId: task.id, headers: { [HEADER.taskId]: task.id, [HEADER.attempt]: task.attempt } });
}

/** A new or stored task's first message: to its queue, or to the waits while its `runAt` is ahead. */
export function dispatchTask(p: ConfirmPublisher, task: TaskMessage, opts: { republished?: boolean } = {}): Promise<void> {
  if (task.runAt && Date.parse(task.runAt) > Date.now()) return publishScheduled(p, task);
  return publishTask(p, task, opts);
}
