import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

export type Cell = string | number;
export type Row = Record<string, Cell>;

/** Where every benchmark leaves its JSON (gitignored). */
export const RESULTS_DIR = resolve(__dirname, '../results');

const show = (cell: Cell): string => (typeof cell === 'number' ? cell.toLocaleString('en-US', { maximumFractionDigits: 2 }) : cell);

/**
 * Prints rows as an aligned text table. Goes to stderr by default so a benchmark's stdout stays pure
 * JSON that a script can pipe on.
 */
export function printTable(title: string, rows: Row[], out: NodeJS.WritableStream = process.stderr): void {
  const columns = [...new Set(rows.flatMap((row) => Object.keys(row)))];
  const cells = rows.map((row) => columns.map((col) => (row[col] === undefined ? '' : show(row[col]))));
  const widths = columns.map((col, i) => Math.max(col.length, ...cells.map((line) => line[i].length)));
  // Numbers align right so their digits line up; text aligns left.
  const pad = (text: string, i: number, numeric: boolean): string => (numeric ? text.padStart(widths[i]) : text.padEnd(widths[i]));
  const isNumeric = columns.map((col) => rows.every((row) => typeof row[col] !== 'string'));
  const line = (texts: string[]): string => texts.map((t, i) => pad(t, i, isNumeric[i])).join('  ').trimEnd();
  out.write(`\n${title}\n${line(columns)}\n${widths.map((w) => '-'.repeat(w)).join('  ')}\n`);
  for (const texts of cells) out.write(`${line(texts)}\n`);
}

/** Writes a benchmark's result as bench/results/<name>.json and returns the path. */
export function writeResults(name: string, data: unknown): string {
  mkdirSync(RESULTS_DIR, { recursive: true });
  const file = join(RESULTS_DIR, `${name}.json`);
  writeFileSync(file, `${JSON.stringify(data, null, 2)}\n`);
  return file;
}
