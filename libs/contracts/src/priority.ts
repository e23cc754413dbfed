/**
 * Task priorities. RabbitMQ 3.10's quorum queues have no message priority, so each priority of a type
 * is a queue of its own (`tasks.<type>`, `tasks.<type>.high`, `tasks.<type>.low`) and a worker's slots
 * are given to the high queue's messages first, then normal, then low (libs/worker's PriorityGate).
 */
export const TASK_PRIORITIES = ['high', 'normal', 'low'] as const;
export type TaskPriority = (typeof TASK_PRIORITIES)[number];
export const DEFAULT_PRIORITY: TaskPriority = 'normal';

/** The queue of one priority of a type: normal keeps the plain name every tool already knows. */
export const priorityQueueName = (type: string, priority: TaskPriority): string => (priority === 'normal' ? `tasks.${type}` : `tasks.${type}.${priority}`);
/** Routing key on the `tasks` exchange: the type for normal, `<type>.<priority>` otherwise (a delay queue dead-letters with its priority's key). */
export const priorityRoutingKey = (type: string, priority: TaskPriority): string => (priority === 'normal' ? type : `${type}.${priority}`);

/** The longest a task may be delayed (`runAt`/`delayMs`): 30 days. */
export const MAX_DELAY_MS = 30 * 24 * 3600_000;
