import { Cron } from 'croner';

/** Fire times of a cron expression in an IANA time zone (croner: 5 fields, or 6 with seconds first). */
export interface CronTimes {
  /** The next `n` fire times after `from`. */
  next(n: number, from: Date): Date[];
  /** The latest fire time at or before `at` (undefined if none in the last `n` computed). */
  latestAtOrBefore(at: Date): Date | undefined;
  /** The `n` latest fire times at or before `at`, newest first. */
  previous(n: number, at: Date): Date[];
}

/** Thrown for an expression or a time zone that cannot be used; the message says which and why. */
export class InvalidCron extends Error {}

export function isTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

export function cronTimes(expression: string, timezone: string): CronTimes {
  if (!isTimeZone(timezone)) throw new InvalidCron(`"${timezone}" is not an IANA time zone (e.g. Europe/London, UTC)`);
  let cron: Cron;
  try {
    cron = new Cron(expression, { timezone, mode: '5-or-6-parts', paused: true });
  } catch (err) {
    throw new InvalidCron(`"${expression}" is not a cron expression: ${(err as Error).message}`);
  }
  if (!cron.nextRun(new Date())) throw new InvalidCron(`"${expression}" never fires`);
  const previous = (n: number, at: Date): Date[] => {
    // croner's previousRuns works in whole seconds and excludes the reference: ask from a second later
    // and drop what is after `at`.
    return cron
      .previousRuns(n + 1, new Date(at.getTime() + 1000))
      .filter((d) => d.getTime() <= at.getTime())
      .slice(0, n);
  };
  return {
    next: (n, from) => cron.nextRuns(n, from),
    previous,
    latestAtOrBefore: (at) => previous(1, at)[0],
  };
}

/**
 * Fire times in (after, upTo], oldest first, at most `max` (a clock that fell far behind is not a reason
 * to fire a burst: the caller applies the catch-up rule to what is left).
 */
export function firesBetween(times: CronTimes, after: Date, upTo: Date, max: number): Date[] {
  const out: Date[] = [];
  let from = after;
  while (out.length < max) {
    const [next] = times.next(1, from);
    if (!next || next.getTime() > upTo.getTime()) break;
    out.push(next);
    from = next;
  }
  return out;
}
