import { TASK_PRIORITIES, deadQueueName, priorityQueueName, queueName } from '@taskyard/contracts';
import type { QueueStats } from './rabbit-management';

/** One job type's waiting work, as the broker counts it: every priority's queue together. */
export interface QueueFigures {
  type: string;
  queue: string;
  ready: number;
  unacked: number;
  consumers: number;
  /** Messages in the type's dead-letter queue (the management API's sample; the admin list counts exactly). */
  dead: number;
}

/** Each type's figures from the management API's queue list (high and low priority have queues beside `tasks.<type>`). */
export function queueFigures(types: string[], stats: Map<string, QueueStats>): QueueFigures[] {
  return types.map((type) => {
    const main = stats.get(queueName(type));
    const others = TASK_PRIORITIES.filter((p) => p !== 'normal').map((p) => stats.get(priorityQueueName(type, p)));
    return {
      type,
      queue: queueName(type),
      ready: (main?.ready ?? 0) + others.reduce((n, o) => n + (o?.ready ?? 0), 0),
      unacked: (main?.unacked ?? 0) + others.reduce((n, o) => n + (o?.unacked ?? 0), 0),
      consumers: main?.consumers ?? 0,
      dead: stats.get(deadQueueName(type))?.messages ?? 0,
    };
  });
}
