import { isTerminal, type AttemptRecord, type TaskStatus } from '@taskyard/contracts';
import { durationBucket, fieldName, type TypeCounts } from './task-stats';
import type { TaskState } from './task-state';

/** What one written fold tells the counters: attempts started and ended, a terminal status, a status change. */
export interface FoldObservation {
  counts: TypeCounts;
  /** Queue waits (ms) of the attempts that started. */
  waitsMs: number[];
  /** Run times (ms) of the attempts that ended, with how they ended. */
  runs: { ms: number; outcome: 'succeeded' | 'failed' }[];
  /** Present when the status changed. */
  statusChange?: { from: TaskStatus; to: TaskStatus };
  /** The attempt that failed was retried (not the last). */
  retries: number;
}

type Observed = Pick<TaskState, 'status' | 'attempts' | 'error'> & { queuedAt?: Date; createdAt?: Date };

const ms = (d: Date | string): number => new Date(d).getTime();

/** When the attempt at `index` became ready to run: the task's queueing, or the previous attempt's retry time. */
function readyAt(task: Observed, attempts: AttemptRecord[], index: number): number | undefined {
  const previous = attempts[index - 1];
  if (!previous) return task.queuedAt ? ms(task.queuedAt) : task.createdAt ? ms(task.createdAt) : undefined;
  // A redelivery waits for nothing of ours (the broker gave the message to another worker at once).
  if (previous.outcome === 'redelivered') return undefined;
  return previous.retryAt ? ms(previous.retryAt) : previous.endedAt ? ms(previous.endedAt) : undefined;
}

function addReason(counts: TypeCounts, code: string, message: string): void {
  const key = fieldName(code);
  counts.reasons = { ...counts.reasons, [key]: (counts.reasons?.[key] ?? 0) + 1 };
  counts.sample = { ...counts.sample, [key]: message.slice(0, 200) };
}

const inc = (counts: TypeCounts, k: 'started' | 'succeeded' | 'failed' | 'retried' | 'cancelled'): void => {
  counts[k] = (counts[k] ?? 0) + 1;
};

function addBucket(counts: TypeCounts, k: 'wait' | 'run', value: number): void {
  const key = String(durationBucket(Math.max(0, value)));
  counts[k] = { ...counts[k], [key]: (counts[k]?.[key] ?? 0) + 1 };
}

/**
 * Compares a task before and after a fold: every attempt that started (and how long it waited), every
 * attempt that ended (and how long it ran, why it failed), and a terminal status reached. Pure and
 * cheap: the status service calls it for each written fold and only counts in memory.
 */
export function observeFold(before: Observed, after: Observed): FoldObservation {
  const obs: FoldObservation = { counts: {}, waitsMs: [], runs: [], retries: 0 };
  const old = before.attempts ?? [];
  const now = after.attempts ?? [];
  // The history is capped from the front: align on the newest attempts both know.
  const offset = Math.max(0, old.length - now.length);
  for (let i = 0; i < now.length; i++) {
    const a = now[i];
    const prior = old[i + offset];
    const isNew = !prior || ms(prior.startedAt) !== ms(a.startedAt);
    if (isNew) {
      inc(obs.counts, 'started');
      const ready = readyAt(after, now, i);
      if (ready !== undefined) {
        const wait = ms(a.startedAt) - ready;
        obs.waitsMs.push(Math.max(0, wait));
        addBucket(obs.counts, 'wait', wait);
      }
    }
    if (a.endedAt && (isNew || !prior?.endedAt) && (a.outcome === 'succeeded' || a.outcome === 'failed' || a.outcome === 'heartbeat-lost')) {
      const run = ms(a.endedAt) - ms(a.startedAt);
      const outcome = a.outcome === 'succeeded' ? 'succeeded' : 'failed';
      obs.runs.push({ ms: Math.max(0, run), outcome });
      addBucket(obs.counts, 'run', run);
      if (a.retryAt) {
        obs.retries++;
        inc(obs.counts, 'retried');
        if (a.error) addReason(obs.counts, a.error.code, a.error.message);
      }
    }
  }
  if (before.status !== after.status) {
    obs.statusChange = { from: before.status, to: after.status };
    if (isTerminal(after.status) && !isTerminal(before.status)) {
      if (after.status === 'succeeded') inc(obs.counts, 'succeeded');
      if (after.status === 'cancelled') inc(obs.counts, 'cancelled');
      if (after.status === 'failed') {
        inc(obs.counts, 'failed');
        addReason(obs.counts, after.error?.code ?? 'unknown', after.error?.message ?? '');
      }
    }
  }
  return obs;
}
