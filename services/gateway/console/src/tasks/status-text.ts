import type { Task, TaskStatus } from '../api/api-types';
import type { StreamMode } from './task-stream';

export const STATUS_LABELS: Record<TaskStatus, string> = {
  scheduled: 'Scheduled',
  queued: 'Queued',
  running: 'Running',
  retrying: 'Retrying',
  succeeded: 'Succeeded',
  failed: 'Failed',
  cancelled: 'Cancelled',
  expired: 'Expired',
};

/** How a page follows its task or workflow, in words beside the status. */
export const MODE_TEXT: Record<StreamMode, string> = {
  connecting: 'Connecting to live updates…',
  live: 'Live: updates as they happen',
  polling: 'Checking for updates every 2 seconds',
  ended: 'Finished: no more updates',
};

/** One sentence under the status badge that says what is happening and what comes next. */
export function statusSentence(task: Task): string {
  switch (task.status) {
    case 'scheduled':
      return task.cancelRequestedAt ? 'Cancelling…' : `Waits until ${task.runAt ? new Date(task.runAt).toLocaleString() : 'its start time'}, then joins the queue.`;
    case 'queued':
      return task.cancelRequestedAt ? 'Cancelling…' : 'Waiting for a worker to pick it up.';
    case 'running':
      return task.cancelRequestedAt ? 'Cancelling: the worker is stopping the job.' : 'A worker is running it now.';
    case 'retrying':
      return `Attempt ${task.attempt} of ${task.maxAttempts} failed; it will be retried shortly.`;
    case 'succeeded':
      return task.artifacts.length > 0 ? 'Done. The files are ready below.' : 'Done.';
    case 'failed':
      return task.maxAttempts > 1 && task.attempt >= task.maxAttempts ? `Failed after ${task.attempt} attempts.` : 'Failed.';
    case 'cancelled':
      return 'Cancelled. Nothing more will run.';
    case 'expired':
      return 'Finished, but its files were deleted after the retention period.';
  }
}

/** Whether a cancel may still help. */
export const isCancellable = (task: Task): boolean => ['scheduled', 'queued', 'running', 'retrying'].includes(task.status) && !task.cancelRequestedAt;

/** Only a failed or cancelled task can be run again. */
const isRetryable = (task: Task): boolean => task.status === 'failed' || task.status === 'cancelled';

/** Why a button is greyed out, in a teacher's words; undefined when it is not. */
export const retryRefusal = (task: Task): string | undefined =>
  isRetryable(task) ? undefined : task.status === 'succeeded' || task.status === 'expired' ? 'it finished well, so there is nothing to run again.' : 'possible once it has failed or been cancelled.';
export const deleteRefusal = (task: Task): string | undefined =>
  ['succeeded', 'failed', 'cancelled', 'expired'].includes(task.status) ? undefined : 'possible once it has finished; cancel it first to stop it.';
