import type { TaskEvent, TaskStatus } from '@taskyard/contracts';
import { isLeavableTree, isOpenStatus } from './list-keys';
import type { TaskState } from './task-state';

/**
 * What the status service's broker timers decide for a task (no periodic scan of the tasks collection:
 * each running attempt and each succeeded task with artifacts arms its own timer, which comes back to the
 * task's one writer as an event).
 */
export type TimerDecision =
  /** A run started (or is still alive at its check): check it again one heartbeat window from now. */
  | { kind: 'arm-heartbeat'; runId: string }
  /** The run sent nothing for a whole window: the attempt counts as failed (retried unless it was the last). */
  | { kind: 'heartbeat-lost'; runId: string; final: boolean }
  /** The task succeeded with artifacts: expire them at the end of the type's retention. */
  | { kind: 'arm-retention' }
  /** Retention is over: delete the artifacts, then the task becomes `expired`. */
  | { kind: 'expire-artifacts' }
  /** The task left an open status (or `succeeded`, expiring): look at that list's marks of its second later (list-prune.ts). */
  | { kind: 'arm-list-prune'; status: TaskStatus }
  /** That time came: prune the mark if none of the owner's tasks of that second is in the status any more. */
  | { kind: 'prune-list'; status: TaskStatus };

export interface TimerContext {
  now: number;
  heartbeatWindowMs: number;
}

/**
 * The silence is measured up to when the check fell due (armed at `armedAt`, one window later), not up to
 * when it is folded: the timer reaches the task's partition behind every event sent before it fell due, so
 * those are folded by then, and a status service lagging behind its queue must not judge a live run lost
 * for its own delay (that retried runs still going: their work done twice, their log lines twice).
 */
function heartbeatCheck(task: TaskState, runId: string, armedAt: string, ctx: TimerContext): TimerDecision | undefined {
  if (task.status !== 'running' || task.runId !== runId || task.workflow) return undefined;
  const dueAt = Date.parse(armedAt) + ctx.heartbeatWindowMs;
  const silentMs = (Number.isFinite(dueAt) ? Math.min(ctx.now, dueAt) : ctx.now) - new Date(task.heartbeatAt ?? 0).getTime();
  if (silentMs < ctx.heartbeatWindowMs) return { kind: 'arm-heartbeat', runId };
  return { kind: 'heartbeat-lost', runId, final: task.attempt >= task.maxAttempts };
}

function retentionCheck(task: TaskState, ctx: TimerContext): TimerDecision | undefined {
  if (task.status !== 'succeeded' || !task.expiresAt) return undefined;
  return new Date(task.expiresAt).getTime() <= ctx.now ? { kind: 'expire-artifacts' } : { kind: 'arm-retention' };
}

/** The timers to arm and the checks that fired, from a task before and after a batch of its events. */
export function timerDecisions(before: TaskState, after: TaskState, events: TaskEvent[], ctx: TimerContext): TimerDecision[] {
  const decisions: TimerDecision[] = [];
  if (after.status === 'running' && after.runId && after.runId !== before.runId && !after.workflow) {
    decisions.push({ kind: 'arm-heartbeat', runId: after.runId });
  }
  if (after.status === 'succeeded' && before.status !== 'succeeded' && after.artifacts.length > 0) decisions.push({ kind: 'arm-retention' });
  if (before.status !== after.status && (isOpenStatus(before.status) || isLeavableTree(before.status)) && !after.parentId) decisions.push({ kind: 'arm-list-prune', status: before.status });
  for (const e of events) {
    if (e.kind === 'list-prune') decisions.push({ kind: 'prune-list', status: e.status });
    const d = e.kind === 'heartbeat-check' ? heartbeatCheck(after, e.runId, e.at, ctx) : e.kind === 'retention-due' ? retentionCheck(after, ctx) : undefined;
    if (d) decisions.push(d);
  }
  return decisions;
}
