import { isIsoDate, isMonday } from '@taskyard/school-data';
import type { CsvRow } from './csv-rows';
import type { RejectSink } from './rejections';

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

/** A date or a date-time, stored as an ISO date-time in UTC. */
export const dateTime: Rule<string> = (raw) => {
  const missing = required(raw);
  if (missing) return missing;
  const ms = /^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/.test(raw) ? Date.parse(raw.length === 10 ? `${raw}T00:00:00Z` : raw) : NaN;
  return Number.isNaN(ms) ? new Invalid(`${show(raw)} is not a date or date-time (ISO 8601)`) : new Date(ms).toISOString();
};

export const bit: Rule<boolean> = (raw) => {
  const v = raw.toLowerCase();
  if (['1', 'true', 'yes', 'y'].includes(v)) return true;
  if (['0', 'false', 'no', 'n'].includes(v)) return false;
  return required(raw) ?? new Invalid(`${show(raw)} is not 1 or 0`);
};

export const word: Rule<string> = (raw) => required(raw) ?? (/^\p{L}[\p{L}'’-]{0,39}$/u.test(raw) ? raw : new Invalid(`${show(raw)} is not a word`));

type Parsed<S> = { [K in keyof S]: S[K] extends Rule<infer T> ? T : never };

/** Applies each column's rule; reports every failing column and returns undefined if any failed. */
export function parseRow<S extends Record<string, Rule<unknown>>>(row: CsvRow, rules: S, sink: RejectSink): Parsed<S> | undefined {
  const out: Record<string, unknown> = {};
  let ok = true;
  for (const [column, rule] of Object.entries(rules)) {
    const value = rule(row.values[column] ?? '');
    if (value instanceof Invalid) {
      sink.add({ row: row.row, column, reason: value.reason });
      ok = false;
    } else out[column] = value;
  }
  return ok ? (out as Parsed<S>) : undefined;
}
