import { formatBytes, formatDateTime, formatDuration, formatElapsed, formatRelative, formatSpan } from './format';

describe('format', () => {
  it('formats sizes', () => {
    expect(formatBytes(512)).toBe('512 B');
    expect(formatBytes(1536)).toBe('1.5 KB');
    expect(formatBytes(200 * 1024 * 1024)).toBe('200 MB');
    expect(formatBytes(2 * 1024 ** 3)).toBe('2.0 GB');
    expect(formatBytes(-1)).toBe('–');
  });

  it('formats durations', () => {
    expect(formatDuration(950)).toBe('950 ms');
    expect(formatDuration(1500)).toBe('1.5 s');
    expect(formatDuration(42_000)).toBe('42 s');
    expect(formatDuration(83_000)).toBe('1 min 23 s');
    expect(formatDuration(15 * 60_000)).toBe('15 min');
    expect(formatDuration(7_200_000)).toBe('2 h');
    expect(formatDuration(24 * 3_600_000)).toBe('1 d');
    expect(formatDuration(14 * 24 * 3_600_000 + 3_600_000)).toBe('14 d 1 h');
  });

  it('formats a running clock in whole seconds', () => {
    expect(formatElapsed(88)).toBe('0 s');
    expect(formatElapsed(4_700)).toBe('4 s');
    expect(formatElapsed(83_400)).toBe('1 min 23 s');
    expect(formatElapsed(-1)).toBe('–');
  });

  it('formats times relative to now', () => {
    const now = Date.parse('2026-01-10T12:00:00Z');
    expect(formatRelative('2026-01-11T11:00:00Z', now)).toBe('in 23 h');
    expect(formatRelative('2026-01-10T11:55:00Z', now)).toBe('5 min ago');
    expect(formatRelative('2026-01-10T12:00:02Z', now)).toBe('just now');
    expect(formatRelative(undefined, now)).toBe('–');
  });

  it('shows a dash for a missing or broken time', () => {
    expect(formatDateTime(undefined)).toBe('–');
    expect(formatDateTime('not a date')).toBe('–');
    expect(formatDateTime('2026-01-10T12:00:00Z', 'en-GB')).toContain('2026');
  });
});

describe('formatSpan', () => {
  it('says configured limits in words', () => {
    expect(formatSpan(86_400_000)).toBe('1 day');
    expect(formatSpan(14 * 86_400_000)).toBe('14 days');
    expect(formatSpan(30 * 60_000)).toBe('30 minutes');
    expect(formatSpan(90 * 60_000)).toBe('90 minutes');
    expect(formatSpan(2000)).toBe('2 seconds');
    expect(formatSpan(1500)).toBe('1500 milliseconds');
  });
});
