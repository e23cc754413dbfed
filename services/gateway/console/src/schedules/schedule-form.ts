import type { FieldErrors } from '../forms/form-values';

/** A cron expression the server would refuse for its shape, said before sending (the server checks the rest). */
export function cronProblem(text: string): string | undefined {
  const fields = text.trim().split(/\s+/).filter(Boolean);
  if (fields.length === 0) return 'Enter a cron expression, e.g. 0 7 * * 1-5.';
  if (fields.length < 5 || fields.length > 6) return `Use 5 fields (6 with seconds first); this has ${fields.length}.`;
  return undefined;
}

/** The IANA zones the browser knows, with UTC and the current choice always among them. */
export function timeZones(current: string): string[] {
  const known = typeof Intl.supportedValuesOf === 'function' ? Intl.supportedValuesOf('timeZone') : [];
  return [...new Set(['UTC', current, ...known])].sort((a, b) => (a === 'UTC' ? -1 : b === 'UTC' ? 1 : a.localeCompare(b)));
}

const sentence = (text: string): string => {
  const t = text.trim();
  return t ? `${t[0].toUpperCase()}${t.slice(1)}${/[.!?]$/.test(t) ? '' : '.'}` : t;
};

/**
 * A 400 about the schedule's own fields (`/cron`, `/timezone`): the message by field, or undefined when
 * the answer is about something else (the task's params).
 */
export function scheduleFieldOf(details: unknown, message: string): FieldErrors | undefined {
  const list = Array.isArray(details) ? details : [];
  const paths = list.map((d) => (typeof d === 'object' && d !== null ? (d as { instancePath?: string }).instancePath : undefined));
  if (paths.includes('/cron')) return { cron: sentence(message) };
  if (paths.includes('/timezone')) return { timezone: sentence(message) };
  return undefined;
}
