import { isIsoDate, isMonday } from '@taskyard/school-data';

/** A column's check: the parsed value, or why the raw text is refused. */
export type Rule<T> = (raw: string) => T | Invalid;

export class Invalid {
  constructor(readonly reason: string) {}
}

const show = (raw: string): string => (raw.length > 40 ? `"${raw.slice(0, 40)}..."` : `"${raw}"`);
const required = (raw: string): Invalid | undefined => (raw === '' ? new Invalid('is required') : undefined);

export const id: Rule<string> = (raw) =>
  required(raw) ?? (/^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$/.test(raw) ? raw : new Invalid(`${show(raw)} is not an id (letters, digits, . _ : -; at most 64)`));

export const text =
  (max: number): Rule<string> =>
  (raw) =>
    // eslint-disable-next-line no-control-regex
    required(raw) ?? (raw.length > max ? new Invalid(`is longer than ${max} characters`) : /[\u0000-\u001f]/.test(raw) ? new Invalid('has control characters') : raw);

export const int =
  (min: number, max: number): Rule<number> =>
  (raw) => {
    const n = Number(raw);
    return required(raw) ?? (/^-?\d+$/.test(raw) && n >= min && n <= max ? n : new Invalid(`${show(raw)} is not a whole number from ${min} to ${max}`));
  };

export const number =
  (min: number, max: number): Rule<number> =>
  (raw) => {
    const n = Number(raw);
    return required(raw) ?? (/^-?\d+(\.\d+)?$/.test(raw) && n >= min && n <= max ? n : new Invalid(`${show(raw)} is not a number from ${min} to ${max}`));
  };

export const monday: Rule<string> = (raw) =>
  required(raw) ?? (!isIsoDate(raw) ? new Invalid(`${show(raw)} is not a date (YYYY-MM-DD)`) : isMonday(raw) ? raw : new Invalid(`${raw} is not a Monday (weeks are named by their Monday)`));

const DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(Z|([+-])(\d{2}):?(\d{2}))?)?$/;

const daysIn = (year: number, month: number): number => new Date(Date.UTC(year, month, 0)).getUTCDate();

/**
 * A date or a date-time (ISO 8601), stored as an ISO date-time in UTC. A date-time without a zone is
 * UTC, never the server's zone (a date alone is midnight UTC). Every part is checked against the
 * calendar: JavaScript's Date would roll 2024-02-30 over to 1 March, which is not what the user meant.
 */
export const dateTime: Rule<string> = (raw) => {
  const missing = required(raw);
  if (missing) return missing;
  const m = DATE_TIME.exec(raw);
  const notOne = new Invalid(`${show(raw)} is not a date or date-time (ISO 8601, e.g. 2025-01-10 or 2025-01-10T09:30:00Z)`);
  // Years before 1000 are typos here (and Date.UTC would read 0-99 as 1900-1999).
  if (!m || Number(m[1]) < 1000) return notOne;
  const part = (i: number): number => (m[i] === undefined ? 0 : Number(m[i]));
  const [year, month, day, hour, minute, second, zoneHours, zoneMinutes] = [1, 2, 3, 4, 5, 6, 10, 11].map(part);
  if (month < 1 || month > 12 || day < 1 || day > daysIn(year, month)) return new Invalid(`${show(raw)} is not a date in the calendar`);
  if (hour > 23 || minute > 59 || second > 59 || zoneHours > 14 || zoneMinutes > 59) return new Invalid(`${show(raw)} is not a time of day`);
  const ms = m[7] === undefined ? 0 : Number(m[7].padEnd(3, '0').slice(0, 3));
  const offset = (m[9] === '-' ? -1 : 1) * (zoneHours * 60 + zoneMinutes);
  return new Date(Date.UTC(year, month - 1, day, hour, minute, second, ms) - offset * 60_000).toISOString();
};

export const bit: Rule<boolean> = (raw) => {
  const v = raw.toLowerCase();
  if (['1', 'true', 'yes', 'y'].includes(v)) return true;
  if (['0', 'false', 'no', 'n'].includes(v)) return false;
  return required(raw) ?? new Invalid(`${show(raw)} is not 1 or 0`);
};

export const word: Rule<string> = (raw) => required(raw) ?? (/^\p{L}[\p{L}'’-]{0,39}$/u.test(raw) ? raw : new Invalid(`${show(raw)} is not a word`));
