import { once } from 'node:events';
import { createReadStream, createWriteStream, type WriteStream } from 'node:fs';
import { rename, unlink } from 'node:fs/promises';
import { parse } from 'csv-parse';
import { stringify, type Stringifier } from 'csv-stringify';

/** A row refused by an import: the data row number as a spreadsheet shows it (the header is row 1). */
export interface Rejection {
  row: number;
  column: string;
  reason: string;
}

/** Where refused rows go: counted, and streamed to `outbound/rejected-<file>.csv` (row, column, reason). */
export interface RejectSink {
  add(r: Rejection): void;
  /** Resolves once the file has room again: callers await it now and then, so a file of errors stays on disk, not in memory. */
  ready(): Promise<void>;
}

const COLUMNS = ['row', 'column', 'reason'];

/**
 * The rejected rows file, in row order so a user can fix the file top to bottom. Most rejections come
 * in row order and stream straight to disk. A few come late: a row refused when its batch is written
 * (an id another school holds) or an unreadable record the parser met ahead of the rows before it.
 * Those wait in memory (they are rare: one per such row) and are merged into place when the file closes.
 */
export class RejectedRowsFile implements RejectSink {
  private csv?: Stringifier;
  private file?: WriteStream;
  /** Distinct rows refused (a row can fail on several columns). */
  rows = 0;
  private lastRow = -1;
  private readonly late: Rejection[] = [];

  constructor(readonly path: string) {}

  add(r: Rejection): void {
    if (r.row < this.lastRow) {
      this.late.push(r);
      return;
    }
    if (!this.csv) {
      this.csv = stringify({ header: true, columns: COLUMNS });
      this.file = createWriteStream(this.path, { mode: 0o600 });
      this.csv.pipe(this.file);
    }
    if (r.row !== this.lastRow) this.rows++;
    this.lastRow = r.row;
    this.csv.write([r.row, r.column, r.reason]);
  }

  async ready(): Promise<void> {
    if (this.csv?.writableNeedDrain) await once(this.csv, 'drain');
  }

  get written(): boolean {
    return this.csv !== undefined;
  }

  async close(): Promise<void> {
    if (!this.csv || !this.file) return;
    const finished = once(this.file, 'finish');
    this.csv.end();
    await finished;
    if (this.late.length) await this.mergeLate();
  }

  /** Rewrites the file with the late rejections in their places (stable: a row's own order is kept). */
  private async mergeLate(): Promise<void> {
    const late = this.late.sort((a, b) => a.row - b.row);
    const inOrder = `${this.path}.in-order`;
    await rename(this.path, inOrder);
    const out = stringify({ header: true, columns: COLUMNS });
    const file = createWriteStream(this.path, { mode: 0o600 });
    const finished = once(file, 'finish');
    out.pipe(file);
    this.rows = 0;
    let last = -1;
    const emit = async (r: Rejection): Promise<void> => {
      if (r.row !== last) this.rows++;
      last = r.row;
      if (!out.write([r.row, r.column, r.reason])) await once(out, 'drain');
    };
    let i = 0;
    for await (const [row, column, reason] of createReadStream(inOrder).pipe(parse({ from_line: 2 })) as AsyncIterable<string[]>) {
      while (i < late.length && late[i].row < Number(row)) await emit(late[i++]);
      await emit({ row: Number(row), column, reason });
    }
    while (i < late.length) await emit(late[i++]);
    out.end();
    await finished;
    await unlink(inOrder);
    late.length = 0;
  }
}
