export const TASK_STATUSES = ['queued', 'running', 'retrying', 'succeeded', 'failed', 'cancelled', 'expired'] as const;
export type TaskStatus = (typeof TASK_STATUSES)[number];
export const TERMINAL_STATUSES: readonly TaskStatus[] = ['succeeded', 'failed', 'cancelled', 'expired'];
export const UNFINISHED_STATUSES: readonly TaskStatus[] = ['queued', 'running', 'retrying'];
export const isTerminal = (s: TaskStatus): boolean => TERMINAL_STATUSES.includes(s);
