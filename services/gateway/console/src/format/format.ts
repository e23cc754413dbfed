/** Numbers, sizes, times and durations as a person reads them. Pure, so the same text shows everywhere. */

export function formatBytes(bytes: number): string {
  if (!Number.isFinite(bytes) || bytes < 0) return '–';
  if (bytes < 1024) return `${bytes} B`;
  const units = ['KB', 'MB', 'GB', 'TB'];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return `${value < 10 ? value.toFixed(1) : Math.round(value)} ${units[unit]}`;
}

/** 950 → "950 ms", 83_000 → "1 min 23 s", 7_200_000 → "2 h". */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return '–';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(ms < 10_000 ? 1 : 0)} s`;
  const totalSeconds = Math.round(ms / 1000);
  const days = Math.floor(totalSeconds / 86_400);
  const hours = Math.floor((totalSeconds % 86_400) / 3600);
  const minutes = Math.floor((totalSeconds % 3600) / 60);
  const seconds = totalSeconds % 60;
  const parts = days ? [`${days} d`, hours && `${hours} h`] : hours ? [`${hours} h`, minutes && `${minutes} min`] : [`${minutes} min`, seconds && `${seconds} s`];
  return parts.filter(Boolean).join(' ');
}

/** A clock that ticks each second: whole seconds, 4_700 → "4 s", 83_000 → "1 min 23 s". */
export function formatElapsed(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return '–';
  const seconds = Math.floor(ms / 1000);
  return seconds < 60 ? `${seconds} s` : formatDuration(seconds * 1000);
}

/** An ISO time in the reader's locale and zone, to the second. */
export function formatDateTime(iso: string | null | undefined, locale?: string): string {
  if (!iso) return '–';
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return '–';
  return date.toLocaleString(locale, { year: 'numeric', month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit', second: '2-digit' });
}

/** "in 23 h", "5 min ago", "just now", relative to `now`. */
export function formatRelative(iso: string | undefined, now: number): string {
  if (!iso) return '–';
  const at = new Date(iso).getTime();
  if (Number.isNaN(at)) return '–';
  const delta = at - now;
  if (Math.abs(delta) < 5000) return 'just now';
  const text = formatDuration(Math.abs(delta)).split(' ').slice(0, 2).join(' ');
  return delta > 0 ? `in ${text}` : `${text} ago`;
}

const SPAN_UNITS: [number, string][] = [
  [86_400_000, 'day'],
  [3_600_000, 'hour'],
  [60_000, 'minute'],
  [1000, 'second'],
];

/** A configured span in words, in the largest unit it is a whole number of: 86_400_000 → "1 day", 1_800_000 → "30 minutes". */
export function formatSpan(ms: number): string {
  const [size, unit] = SPAN_UNITS.find(([size]) => ms >= size && ms % size === 0) ?? [1, 'millisecond'];
  const count = ms / size;
  return `${count} ${unit}${count === 1 ? '' : 's'}`;
}
