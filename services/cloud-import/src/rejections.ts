import { once } from 'node:events';
import { createWriteStream, type WriteStream } from 'node:fs';
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

export class RejectedRowsFile implements RejectSink {
  private csv?: Stringifier;
  private file?: WriteStream;
  /** Distinct rows refused (a row can fail on several columns). */
  rows = 0;
  private lastRow = -1;

  constructor(readonly path: string) {}

  add(r: Rejection): void {
    if (!this.csv) {
      this.csv = stringify({ header: true, columns: ['row', 'column', 'reason'] });
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
  }
}
