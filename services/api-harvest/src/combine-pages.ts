import { PassThrough, type Writable } from 'node:stream';
import { stringify } from 'csv-stringify';
import type { ApiHarvestFormat } from '@taskyard/contracts';

/** The records of one page: its array's items, or the page itself when it is one object. */
export function recordsOf(page: unknown): unknown[] {
  if (Array.isArray(page)) return page;
  for (const field of ['data', 'items', 'results', 'records']) {
    const inner = (page as Record<string, unknown> | null)?.[field];
    if (Array.isArray(inner)) return inner;
  }
  return [page];
}

const cell = (v: unknown): string => (v === null || v === undefined ? '' : typeof v === 'object' ? JSON.stringify(v) : String(v));

/**
 * Writes records one page after another, as JSON Lines or CSV (the header is the first record's fields;
 * a nested value is written as JSON). Back-pressure is kept: each write waits while the output is full.
 */
export class CombinedWriter {
  readonly out = new PassThrough();
  private csv?: ReturnType<typeof stringify>;
  private columns?: string[];
  count = 0;

  constructor(format: ApiHarvestFormat) {
    if (format === 'csv') {
      this.csv = stringify();
      this.csv.pipe(this.out);
    }
  }

  private async put(target: Writable, chunk: unknown): Promise<void> {
    if (!target.write(chunk)) await new Promise((r) => target.once('drain', r));
  }

  async add(record: unknown): Promise<void> {
    this.count++;
    if (!this.csv) return this.put(this.out, `${JSON.stringify(record)}\n`);
    const obj = record !== null && typeof record === 'object' && !Array.isArray(record) ? (record as Record<string, unknown>) : { value: record };
    if (!this.columns) {
      this.columns = Object.keys(obj);
      await this.put(this.csv, this.columns);
    }
    await this.put(this.csv, this.columns.map((c) => cell(obj[c])));
  }

  end(): void {
    if (this.csv) this.csv.end();
    else this.out.end();
  }
}
