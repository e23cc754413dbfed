import type { Task, TaskStatus } from '../api/api-types';

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
