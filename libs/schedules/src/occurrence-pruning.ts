import type { Logger } from '@taskyard/logging';
import { nodeId, type ListMarkRecord } from '@taskyard/tasks';
import { DAY_LEVEL, PRUNE_MARKS, dayNumber, historyScope } from './occurrence-history';
import type { ScheduleModels } from './schedule-model';

/** Named defaults of the pruner (River-style: one config struct, named constants). */
export const PRUNE_DEFAULTS = {
  /** Days of history kept: a day is pruned once it is this many whole days before today (UTC). */
  retentionDays: 30,
  /** Past days pruned by one pass at most (a backlog after a long stop is taken a few days at a time). */
  maxDaysPerPass: 3,
  /** A pass stops starting new buckets after this long; the next pass goes on where it stopped. */
  passDeadlineMs: 30_000,
  /** Deadline of each query. */
  queryTimeoutMs: 10_000,
} as const;

export type PruneConfig = { [K in keyof typeof PRUNE_DEFAULTS]: number };

/** What one pass did with a day: all of it gone, or stopped at the deadline (the rest next pass). */
export enum DayDecision {
  Pruned = 'pruned',
  Unfinished = 'unfinished',
}

export interface PruneResult {
  days: { day: string; decision: DayDecision }[];
  occurrences: number;
}

const DAY_MS = 86_400_000;

/**
 * Deletes the history of days past the retention. Every read is an equality on `p` (the prune marks of a
 * day, then one schedule's hours and minutes of it) and every delete takes one minute bucket (at most 60
 * occurrences) or one mark by `_id`, children before parents: a pass cut short leaves a tree the next
 * pass walks again, and a page read meanwhile finds fewer occurrences, never a dangling mark it trusts.
 * Any number of replicas may prune at once: a delete of what is gone deletes nothing.
 */
export class OccurrencePruner {
  constructor(
    private readonly models: ScheduleModels,
    private readonly logger: Logger,
    private readonly cfg: PruneConfig = PRUNE_DEFAULTS,
  ) {}

  async pass(now = new Date()): Promise<PruneResult> {
    const deadline = Date.now() + this.cfg.passDeadlineMs;
    const today = Math.floor(now.getTime() / DAY_MS);
    const days = (await this.marks(PRUNE_MARKS.root))
      .filter((m) => m.n < today - this.cfg.retentionDays)
      .sort((a, b) => a.n - b.n)
      .slice(0, this.cfg.maxDaysPerPass)
      .map((m) => new Date(m.n * DAY_MS).toISOString().slice(0, 10));
    const result: PruneResult = { days: [], occurrences: 0 };
    for (const day of days) {
      const decision = await this.pruneDay(day, deadline, result);
      result.days.push({ day, decision });
      if (decision === DayDecision.Unfinished) break;
    }
    if (result.occurrences) this.logger.info({ days: result.days, occurrences: result.occurrences }, 'pruned schedule history');
    return result;
  }

  private async pruneDay(day: string, deadline: number, result: PruneResult): Promise<DayDecision> {
    const dayId = PRUNE_MARKS.day(day);
    for (const entry of await this.marks(dayId)) {
      const scope = historyScope(PRUNE_MARKS.scheduleOf(entry, day));
      const dayNode = nodeId(scope, DAY_LEVEL, dayNumber(day));
      for (const hour of await this.marks(dayNode)) {
        const hourNode = nodeId(scope, DAY_LEVEL - 1, hour.n);
        for (const minute of await this.marks(hourNode)) {
          if (Date.now() > deadline) return DayDecision.Unfinished;
          const minuteNode = nodeId(scope, DAY_LEVEL - 2, minute.n);
          const gone = await this.models.Occurrence.deleteMany({ p: minuteNode }).maxTimeMS(this.cfg.queryTimeoutMs).exec();
          result.occurrences += gone.deletedCount;
          await this.drop(minuteNode);
        }
        await this.drop(hourNode);
      }
      await this.drop(dayNode);
      await this.drop(entry._id);
      // The 64-day block's mark stays: a day of it may be today's, whose marks this process or another
      // has cached as stored. One mark per schedule per 64 days.
    }
    await this.drop(dayId);
    return DayDecision.Pruned;
  }

  private marks(parent: string): Promise<ListMarkRecord[]> {
    return this.models.HistoryMark.find({ p: parent }).maxTimeMS(this.cfg.queryTimeoutMs).lean<ListMarkRecord[]>().exec();
  }

  private async drop(id: string): Promise<void> {
    await this.models.HistoryMark.collection.deleteOne({ _id: id } as never, { maxTimeMS: this.cfg.queryTimeoutMs } as never);
  }
}
