import { DEFAULT_PRIORITY, type TaskPriority } from './priority';

/** Broker names. They read well in the RabbitMQ management UI: `tasks.<type>`, `tasks.<type>.dead`, ... */
export const TASKS_EXCHANGE = 'tasks';
export const TASK_EVENTS_EXCHANGE = 'task-events';
/** Dead letters of every type: routed by job type to `tasks.<type>.dead`. */
export const DEAD_LETTER_EXCHANGE = 'tasks.dead';
/** Where a queue's expired (TTL) messages go, for the status service to fail them with `expired-in-queue`. */
export const EXPIRED_EXCHANGE = 'tasks.expired';
export const EXPIRED_QUEUE = 'tasks.expired';
/** Consistent-hash exchange that splits task events into partitions by task id (one writer per task). */
export const STATUS_PARTITION_EXCHANGE = 'task-events.by-task';

/** Callback deliveries to make, and their retry delay queues (dead-lettered back to `callbacks` after their TTL). */
export const CALLBACK_QUEUE = 'callbacks';
export const callbackDelayQueue = (delayMs: number): string => `callbacks.delay.${Math.round(delayMs / 1000)}s`;

export const queueName = (type: string): string => `tasks.${type}`;
export const deadQueueName = (type: string): string => `tasks.${type}.dead`;
/**
 * A back-off delay queue: its messages wait `delayMs` then are dead-lettered back to `tasks`, to the queue of
 * their priority (one delay queue per priority, so a retried attempt keeps its task's priority).
 */
export const delayQueueName = (type: string, delayMs: number, priority: TaskPriority = DEFAULT_PRIORITY): string =>
  `tasks.${type}${priority === DEFAULT_PRIORITY ? '' : `.${priority}`}.delay.${Math.round(delayMs / 1000)}s`;
/** External types: a claim's lease is checked when a message in this queue waits out its TTL (half a lease). */
export const leaseCheckQueueName = (type: string): string => `tasks.${type}.lease-check`;
/** Where the lease checks of every external type arrive after their wait. */
export const LEASE_EXPIRY_QUEUE = 'tasks.lease-expiry';
/**
 * A timer queue of the status service: its messages (timer events) wait `delayMs`, then are dead-lettered to
 * the status partitions, so a timer reaches the task's one writer like any of its events.
 */
export const timerQueueName = (delayMs: number): string => `task-events.timer.${Math.round(delayMs / 1000)}s`;
export const statusPartitionQueue = (index: number): string => `task-events.status.p${index}`;
/**
 * A task event's routing key, `<type>.<kind>.<taskId>`: the task id last, so the gateway binds its event
 * streams' queue to exactly the tasks streamed (`taskEventsBinding`) and the broker drops every other event
 * for it, instead of the gateway receiving all of them.
 */
export const eventRoutingKey = (type: string, kind: string, taskId: string): string => `${type}.${kind}.${taskId}`;
/** Every event of one kind of a type, whatever its task (a worker's cancel requests). */
export const eventKindBinding = (type: string, kind: string): string => `${type}.${kind}.#`;
/**
 * The events of one task: its id's words end the key. Only for an id made of `[A-Za-z0-9_-]` words (a
 * task id is: `isBindableTaskId`), so nothing in it is a wildcard.
 */
export const taskEventsBinding = (taskId: string): string => `#.${taskId}`;
export const isBindableTaskId = (id: string): boolean => id.length <= 200 && /^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*$/.test(id);

/** Message headers the platform sets. */
export const HEADER = {
  attempt: 'x-taskyard-attempt',
  taskId: 'x-taskyard-task-id',
  republished: 'x-taskyard-republished',
  /** The message may be published twice for its attempt (see RunClaims): the worker claims the attempt before running it. */
  claimRun: 'x-taskyard-claim-run',
  errorCode: 'x-taskyard-error-code',
  errorMessage: 'x-taskyard-error-message',
} as const;

/**
 * Tasks submitted with `runAt` wait in TTL queues of fixed lengths (`tasks.scheduled.wait-<length>`), each
 * dead-lettering into `tasks.scheduled.due`; the scheduler service consumes that queue and either releases
 * the task (its time has come) or sends it on to the longest wait that does not pass its `runAt`.
 */
export const SCHEDULED_DUE_EXCHANGE = 'tasks.scheduled';
export const SCHEDULED_DUE_QUEUE = 'tasks.scheduled.due';
export const scheduledWaitQueue = (label: string): string => `tasks.scheduled.wait-${label}`;

/** Operator commands to every worker of a type (`<type>.paused`, `<type>.resumed`): a topic exchange. */
export const CONTROL_EXCHANGE = 'taskyard.control';
export const controlRoutingKey = (type: string, command: 'paused' | 'resumed'): string => `${type}.${command}`;
