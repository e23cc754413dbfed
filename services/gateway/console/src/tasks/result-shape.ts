import { fieldLabel } from '../forms/field-label';

/** How one entry of a job's `result` is best shown. */
export type ResultPart =
  | { kind: 'facts'; title?: string; facts: [string, string][] }
  | { kind: 'table'; title: string; columns: string[]; rows: string[][] }
  | { kind: 'json'; title: string; json: string };

type Plain = string | number | boolean;
const isPlain = (value: unknown): value is Plain => ['string', 'number', 'boolean'].includes(typeof value);
const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/** A cell: plain values as they are; a small object of plain values as "inserted 3, updated 0". */
function cellText(value: unknown): string | undefined {
  if (value === undefined || value === null) return '';
  if (isPlain(value)) return String(value);
  if (isRecord(value) && Object.values(value).every(isPlain)) {
    return Object.entries(value)
      .map(([k, v]) => `${fieldLabel(k).toLowerCase()} ${String(v)}`)
      .join(', ');
  }
  return undefined;
}

function tableOf(title: string, items: Record<string, unknown>[]): ResultPart | undefined {
  const columns = [...new Set(items.flatMap((item) => Object.keys(item)))];
  const rows = items.map((item) => columns.map((c) => cellText(item[c])));
  if (rows.some((row) => row.some((cell) => cell === undefined))) return undefined;
  return { kind: 'table', title, columns: columns.map(fieldLabel), rows: rows as string[][] };
}

function partOf(name: string, value: unknown): ResultPart {
  const title = fieldLabel(name);
  if (Array.isArray(value) && value.length > 0 && value.every(isRecord)) {
    const table = tableOf(title, value);
    if (table) return table;
  }
  if (isRecord(value) && Object.values(value).every(isPlain)) {
    return { kind: 'facts', title, facts: Object.entries(value).map(([k, v]) => [fieldLabel(k), String(v)]) };
  }
  if (Array.isArray(value) && value.every(isPlain)) return { kind: 'facts', title: undefined, facts: [[title, value.length ? value.join(', ') : '–']] };
  return { kind: 'json', title, json: JSON.stringify(value, null, 2) };
}

/**
 * A job's result as parts a person can read: its plain values first as one list of facts, then each
 * nested value as a table (a list of records), a titled list of facts (a flat record) or, failing
 * those, formatted JSON.
 */
export function resultParts(result: Record<string, unknown>): ResultPart[] {
  const entries = Object.entries(result).filter(([, v]) => v !== undefined && v !== null);
  const plain = entries.filter(([, v]) => isPlain(v));
  const parts: ResultPart[] = plain.length ? [{ kind: 'facts', facts: plain.map(([k, v]) => [fieldLabel(k), String(v)]) }] : [];
  return [...parts, ...entries.filter(([, v]) => !isPlain(v)).map(([k, v]) => partOf(k, v))];
}
