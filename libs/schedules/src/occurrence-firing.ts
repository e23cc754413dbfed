import { occurrenceId as occurrenceIdOf } from '@taskyard/contracts';
import type { Logger } from '@taskyard/logging';
import { insertUnique } from '@taskyard/tasks';
import { dayOf, minuteNode, type OccurrenceHistory } from './occurrence-history';
import type { OccurrenceRecord, ScheduleModels, ScheduleRecord } from './schedule-model';
import type { SubmitResult, TemplateSubmitter } from './template-submission';

/** What firing an occurrence did here: this replica won it (and its result), or another replica had. */
export type FireOutcome = { won: false } | { won: true; result: SubmitResult };

export interface FiringDeps {
  models: ScheduleModels;
  submit: TemplateSubmitter;
  logger: Logger;
  /** Who fired (for the record): the replica's name. */
  holder: string;
  /** Where each occurrence's marks go before it is inserted (kept for the process: it caches). */
  history: OccurrenceHistory;
}

/** A new occurrence's record, after its history marks are stored (so a history page never misses it). */
async function newOccurrence(deps: FiringDeps, schedule: ScheduleRecord, fireAt: Date, rest: Pick<OccurrenceRecord, 'outcome' | 'reason' | 'catchUp'>): Promise<OccurrenceRecord> {
  await deps.history.prepare(schedule._id, fireAt);
  return {
    _id: occurrenceIdOf(schedule._id, fireAt),
    scheduleId: schedule._id,
    fireAt,
    ...rest,
    holder: deps.holder,
    at: new Date(),
    day: dayOf(fireAt),
    p: minuteNode(schedule._id, fireAt),
  };
}

/**
 * Fires one occurrence of a schedule: its `_id` `<scheduleId>:<fire time>` is inserted first, as
 * `pending`, so of any number of replicas exactly one goes on; that one submits the template and writes
 * the outcome (it is the occurrence's only writer). A crash between the two leaves it `pending`, and
 * `completePending` finishes it; the task's id derives from the occurrence, so it is never made twice.
 */
export async function fireOccurrence(deps: FiringDeps, schedule: ScheduleRecord, fireAt: Date, opts: { catchUp?: boolean } = {}): Promise<FireOutcome> {
  const claim = await newOccurrence(deps, schedule, fireAt, { outcome: 'pending', ...(opts.catchUp ? { catchUp: true } : {}) });
  const id = claim._id;
  if (!(await insertUnique(deps.models.Occurrence, claim as never))) return { won: false };
  const result = await deps.submit(schedule, id);
  await recordOutcome(deps, id, result);
  return { won: true, result };
}

/**
 * Records a missed occurrence as skipped (the schedule's catch-up rule is `skip`), so the history shows
 * the gap; a unique insert like any occurrence.
 */
export async function recordMissed(deps: FiringDeps, schedule: ScheduleRecord, fireAt: Date): Promise<boolean> {
  const missed = await newOccurrence(deps, schedule, fireAt, {
    outcome: 'skipped',
    reason: 'missed while no scheduler ran; this schedule skips missed occurrences',
    catchUp: true,
  });
  return insertUnique(deps.models.Occurrence, missed as never);
}

async function recordOutcome(deps: FiringDeps, id: string, result: SubmitResult): Promise<void> {
  const set = result.outcome === 'submitted' ? { outcome: 'submitted', taskId: result.taskId } : { outcome: 'skipped', reason: result.reason };
  await deps.models.Occurrence.collection.updateOne({ _id: id } as never, { $set: { ...set, at: new Date() } }, { maxTimeMS: 10_000 });
}

/**
 * Occurrences left `pending` for longer than `olderThanMs` (their replica stopped mid-way): submit again
 * (idempotent per occurrence) and record the outcome. An equality on the outcome, bounded by `limit`.
 */
export async function completePending(
  deps: FiringDeps,
  schedules: (id: string) => Promise<ScheduleRecord | null>,
  olderThanMs: number,
  limit = 32,
): Promise<number> {
  const pending = await deps.models.Occurrence.find({ outcome: 'pending' }).limit(limit).lean<OccurrenceRecord[]>().maxTimeMS(10_000);
  let done = 0;
  for (const occ of pending) {
    if (Date.now() - new Date(occ.at).getTime() < olderThanMs) continue;
    const schedule = await schedules(occ.scheduleId);
    const result: SubmitResult = schedule
      ? await deps.submit(schedule, occ._id)
      : { outcome: 'skipped', code: 'schedule-deleted', reason: 'the schedule was deleted before this occurrence was submitted' };
    await recordOutcome(deps, occ._id, result);
    done += 1;
  }
  if (done) deps.logger.warn({ done }, 'completed occurrences a stopped scheduler had left pending');
  return done;
}
