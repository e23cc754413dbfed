import type { AttemptView, TaskView } from '@taskyard/contracts';
import { formatDuration } from '../format/format';

export type TimelineTone = 'neutral' | 'good' | 'bad' | 'warn';

/** One line of a task's timeline: when, what, and why (an attempt's error). */
export interface TimelineEntry {
  at: string;
  title: string;
  detail?: string;
  code?: string;
  tone: TimelineTone;
}

const span = (from: string, to: string): string => formatDuration(Date.parse(to) - Date.parse(from));

function attemptEnd(a: AttemptView): TimelineEntry | undefined {
  if (!a.endedAt) return undefined;
  const ran = span(a.startedAt, a.endedAt);
  switch (a.outcome) {
    case 'succeeded':
      return { at: a.endedAt, title: `Attempt ${a.attempt} succeeded after ${ran}`, tone: 'good' };
    case 'cancelled':
      return { at: a.endedAt, title: `Attempt ${a.attempt} was cancelled after ${ran}`, tone: 'warn' };
    case 'redelivered':
      return { at: a.endedAt, title: `Attempt ${a.attempt} stopped with its worker; the broker gave it to another worker`, tone: 'warn' };
    case 'heartbeat-lost':
    case 'failed': {
      const what = a.outcome === 'heartbeat-lost' ? 'lost its worker (no heartbeat)' : 'failed';
      const retry = a.retryAt ? `; retry due at ${new Date(a.retryAt).toLocaleTimeString()}` : '';
      return { at: a.endedAt, title: `Attempt ${a.attempt} ${what} after ${ran}${retry}`, detail: a.error?.message, code: a.error?.code, tone: 'bad' };
    }
    default:
      return { at: a.endedAt, title: `Attempt ${a.attempt} ended after ${ran}`, tone: 'neutral' };
  }
}

/**
 * A task's history in order: submitted, queued, each attempt's start and end (with its error and when the
 * retry was due), the final status. Built from the task alone (its `attempts` are recorded by the status
 * service); a task stored before attempts were recorded shows its first start only.
 */
export function timelineOf(task: TaskView): TimelineEntry[] {
  const entries: TimelineEntry[] = [{ at: task.createdAt, title: task.runAt ? `Submitted, to start at ${new Date(task.runAt).toLocaleString()}` : 'Submitted', tone: 'neutral' }];
  if (Math.abs(Date.parse(task.queuedAt) - Date.parse(task.createdAt)) >= 1000) entries.push({ at: task.queuedAt, title: 'Queued', tone: 'neutral' });
  const attempts = task.attempts ?? [];
  if (attempts.length === 0 && task.startedAt) entries.push({ at: task.startedAt, title: 'Started', tone: 'neutral' });
  for (const a of attempts) {
    entries.push({ at: a.startedAt, title: `Attempt ${a.attempt} of ${task.maxAttempts} started`, tone: 'neutral' });
    const end = attemptEnd(a);
    if (end) entries.push(end);
  }
  if (task.finishedAt) {
    const failedBeforeStart = task.status === 'failed' && !attempts.some((a) => a.error?.code === task.error?.code);
    entries.push({
      at: task.finishedAt,
      title: `Finished: ${task.status}`,
      tone: task.status === 'succeeded' ? 'good' : task.status === 'failed' ? 'bad' : 'warn',
      ...(failedBeforeStart && task.error ? { detail: task.error.message, code: task.error.code } : {}),
    });
  }
  return entries;
}
