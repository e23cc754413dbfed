import type { Logger } from '@taskyard/logging';
import {
  completePending,
  cronTimes,
  fireOccurrence,
  firesBetween,
  recordMissed,
  type CronTimes,
  type FiringDeps,
  type ScheduleRecord,
} from '@taskyard/schedules';
import type { SchedulerMetrics } from './scheduler-metrics';

/** Named defaults of the clock (River-style: one config struct, named constants). */
export const CLOCK_DEFAULTS: Readonly<Record<'tickMs' | 'refreshMs' | 'missedGraceMs' | 'maxFiresPerTick' | 'pendingAfterMs' | 'pendingEveryMs', number>> = {
  /** How often due fire times are looked for: the most an occurrence is claimed late, besides load. */
  tickMs: 250,
  /** How often the schedules are read again (new, changed, paused, deleted ones take effect by then). */
  refreshMs: 2_000,
  /**
   * Fire times newer than this at start are not "missed": another replica may be about to fire them, and
   * this one fires them too through its own ticks (the unique occurrence decides).
   */
  missedGraceMs: 5_000,
  /** A clock that fell further behind than this many fire times in one tick drops the rest (no bursts). */
  maxFiresPerTick: 5,
  /** Occurrences `pending` longer than this are completed by any replica. */
  pendingAfterMs: 30_000,
  pendingEveryMs: 15_000,
};

export type ClockConfig = typeof CLOCK_DEFAULTS;

export interface ClockDeps extends FiringDeps {
  metrics: SchedulerMetrics;
  logger: Logger;
}

interface Tracked {
  record: ScheduleRecord;
  times: CronTimes;
  /** Fire times up to here have been handled by this replica. */
  checkedUpTo: Date;
}

/** What a changed schedule means for its tracked state: the cron or the active period changed. */
const sameTimes = (a: ScheduleRecord, b: ScheduleRecord): boolean =>
  a.cron === b.cron && a.timezone === b.timezone && new Date(a.activeSince).getTime() === new Date(b.activeSince).getTime();

/**
 * Fires the active schedules of every owner. Each replica runs its own clock; each occurrence is decided
 * by its unique `_id`, so two replicas fire each occurrence exactly once between them. At start, each
 * schedule's latest fire time missed while nothing ran is handled by its catch-up rule: `once` fires it
 * (late, marked catch-up), `skip` records it skipped. Older missed ones are neither fired nor recorded.
 */
export class ScheduleClock {
  private readonly tracked = new Map<string, Tracked>();
  private timer?: NodeJS.Timeout;
  private ticking?: Promise<void>;
  private lastRefresh = 0;
  private lastPending = 0;
  private readonly startedAt = new Date();

  constructor(
    private readonly deps: ClockDeps,
    private readonly cfg: ClockConfig = CLOCK_DEFAULTS,
  ) {}

  async start(): Promise<void> {
    await this.refresh(true);
    this.timer = setInterval(() => void this.tick(), this.cfg.tickMs);
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.ticking;
  }

  /** One pass: reload schedules when due, fire what is due, complete stale pending occurrences. */
  tick(): Promise<void> {
    if (this.ticking) return this.ticking;
    this.ticking = this.pass()
      .catch((err: Error) => this.deps.logger.warn({ err: err.message }, 'schedule clock pass failed; next tick retries'))
      .finally(() => (this.ticking = undefined));
    return this.ticking;
  }

  private async pass(): Promise<void> {
    const now = Date.now();
    if (now - this.lastRefresh >= this.cfg.refreshMs) await this.refresh(false);
    await Promise.all([...this.tracked.values()].map((t) => this.fireDue(t, new Date())));
    if (now - this.lastPending >= this.cfg.pendingEveryMs) {
      this.lastPending = now;
      await completePending(this.deps, (id) => this.deps.models.Schedule.findById(id).lean<ScheduleRecord>().maxTimeMS(10_000).exec(), this.cfg.pendingAfterMs);
    }
  }

  private async fireDue(t: Tracked, now: Date): Promise<void> {
    const due = firesBetween(t.times, t.checkedUpTo, now, this.cfg.maxFiresPerTick);
    t.checkedUpTo = now;
    for (const fireAt of due) {
      const outcome = await fireOccurrence(this.deps, t.record, fireAt);
      if (!outcome.won) {
        this.deps.metrics.lost.inc();
        continue;
      }
      this.deps.metrics.fireLateness.observe((Date.now() - fireAt.getTime()) / 1000);
      this.count(outcome.result);
    }
  }

  private count(result: Awaited<ReturnType<FiringDeps['submit']>>): void {
    this.deps.metrics.occurrences.inc(result.outcome === 'submitted' ? { outcome: 'submitted', reason: '' } : { outcome: 'skipped', reason: result.code });
  }

  /** Reads the active schedules (an equality on `paused`), tracks new ones, updates changed ones, drops the rest. */
  private async refresh(atStart: boolean): Promise<void> {
    this.lastRefresh = Date.now();
    const active = await this.deps.models.Schedule.find({ paused: false }).lean<ScheduleRecord[]>().maxTimeMS(10_000).exec();
    const seen = new Set<string>();
    for (const record of active) {
      seen.add(record._id);
      const known = this.tracked.get(record._id);
      if (known && sameTimes(known.record, record)) {
        known.record = record;
        continue;
      }
      let times: CronTimes;
      try {
        times = cronTimes(record.cron, record.timezone);
      } catch (err) {
        this.deps.logger.warn({ scheduleId: record._id, err: (err as Error).message }, 'schedule has an unusable cron; not fired');
        continue;
      }
      const activeSince = new Date(record.activeSince);
      // A schedule seen for the first time since this replica started: what it missed before, by its rule.
      const since = known ? activeSince : new Date(Math.max(activeSince.getTime(), this.startedAt.getTime() - this.cfg.missedGraceMs));
      const tracked: Tracked = { record, times, checkedUpTo: new Date(Math.max(since.getTime(), known ? 0 : Date.now() - this.cfg.missedGraceMs)) };
      this.tracked.set(record._id, tracked);
      if (!known) await this.catchUp(tracked, atStart);
    }
    for (const id of this.tracked.keys()) if (!seen.has(id)) this.tracked.delete(id);
    this.deps.metrics.schedules.set(this.tracked.size);
  }

  /**
   * The latest fire time before this replica's window (older than the grace) and not before the schedule
   * was active: if no occurrence exists for it, it was missed while nothing ran.
   */
  private async catchUp(t: Tracked, atStart: boolean): Promise<void> {
    const latest = t.times.latestAtOrBefore(t.checkedUpTo);
    if (!latest || latest.getTime() < new Date(t.record.activeSince).getTime() || latest.getTime() === t.checkedUpTo.getTime()) return;
    if (t.record.catchUp === 'once') {
      const outcome = await fireOccurrence(this.deps, t.record, latest, { catchUp: true });
      if (outcome.won) this.count(outcome.result);
    } else if (await recordMissed(this.deps, t.record, latest)) {
      this.deps.metrics.occurrences.inc({ outcome: 'skipped', reason: 'missed' });
    }
    if (atStart) this.deps.logger.info({ scheduleId: t.record._id, fireAt: latest.toISOString(), rule: t.record.catchUp }, 'missed occurrence handled by its catch-up rule');
  }
}
