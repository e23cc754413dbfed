export const TASK_STATUSES = ['scheduled', 'queued', 'running', 'retrying', 'succeeded', 'failed', 'cancelled', 'expired'] as const;
export type TaskStatus = (typeof TASK_STATUSES)[number];
export const TERMINAL_STATUSES: readonly TaskStatus[] = ['succeeded', 'failed', 'cancelled', 'expired'];
/** `scheduled`: waiting for its `runAt`; it holds its place under the owner's limit like a queued task. */
export const UNFINISHED_STATUSES: readonly TaskStatus[] = ['scheduled', 'queued', 'running', 'retrying'];
export const isTerminal = (s: TaskStatus): boolean => TERMINAL_STATUSES.includes(s);
