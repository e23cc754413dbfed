import { InvalidCron, cronTimes, firesBetween } from './cron-times';

describe('cronTimes', () => {
  it('takes 5 fields (minutes) or 6 (seconds first)', () => {
    const minutely = cronTimes('*/15 * * * *', 'UTC');
    expect(minutely.next(2, new Date('2026-01-01T10:07:00Z')).map((d) => d.toISOString())).toEqual(['2026-01-01T10:15:00.000Z', '2026-01-01T10:30:00.000Z']);
    const everySecond = cronTimes('* * * * * *', 'UTC');
    expect(everySecond.next(2, new Date('2026-01-01T10:00:00.400Z')).map((d) => d.toISOString())).toEqual(['2026-01-01T10:00:01.000Z', '2026-01-01T10:00:02.000Z']);
  });

  it('reads the expression in the schedule time zone', () => {
    const nine = cronTimes('0 9 * * *', 'Europe/London');
    // 9:00 in London is 08:00 UTC in summer time.
    expect(nine.next(1, new Date('2026-07-01T00:00:00Z'))[0].toISOString()).toBe('2026-07-01T08:00:00.000Z');
  });

  it('finds the latest fire time at or before a moment, and the ones before it', () => {
    const t = cronTimes('*/10 * * * * *', 'UTC');
    expect(t.latestAtOrBefore(new Date('2026-01-01T10:00:20Z'))?.toISOString()).toBe('2026-01-01T10:00:20.000Z');
    expect(t.previous(3, new Date('2026-01-01T10:00:25Z')).map((d) => d.toISOString())).toEqual([
      '2026-01-01T10:00:20.000Z',
      '2026-01-01T10:00:10.000Z',
      '2026-01-01T10:00:00.000Z',
    ]);
  });

  it('refuses a bad expression or time zone with a message naming it', () => {
    expect(() => cronTimes('61 * * * *', 'UTC')).toThrow(InvalidCron);
    expect(() => cronTimes('* * * * *', 'Mars/Olympus')).toThrow(/Mars\/Olympus/);
    expect(() => cronTimes('not cron', 'UTC')).toThrow(/not cron/);
  });

  it('lists the fire times in a window, oldest first, never more than asked', () => {
    const t = cronTimes('* * * * * *', 'UTC');
    const from = new Date('2026-01-01T10:00:00Z');
    expect(firesBetween(t, from, new Date('2026-01-01T10:00:03Z'), 100)).toHaveLength(3);
    expect(firesBetween(t, from, new Date('2026-01-01T11:00:00Z'), 5)).toHaveLength(5);
  });
});
