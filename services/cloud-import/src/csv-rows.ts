import { createReadStream } from 'node:fs';
import { basename } from 'node:path';
import { StringDecoder } from 'node:string_decoder';
import { CsvRecords, type RecordsOut } from './csv-records';
import type { RejectSink } from './rejections';

/** One data row: its spreadsheet row number and the values of the required columns, in their order, trimmed. */
export interface CsvRow {
  row: number;
  fields: string[];
}

/** What the reader saw: data rows (read or not), and why the whole file was refused, if it was. */
export interface CsvStats {
  dataRows: number;
  refused?: string;
}

/**
 * The longest record the reader takes, in characters: a real row is well under 1 KB, and without a cap one
 * huge line (2 GiB of it deflates to ~2 MB and passes every zip check) would be held whole.
 */
export const MAX_RECORD_CHARS = 64 * 1024;

/**
 * Streams a CSV file's rows. The header must name every `required` column (any order, any case; extra
 * columns are ignored); if it does not, each missing column is reported against row 1 and no row is
 * read. A record the parser cannot read, or with the wrong number of fields, is reported and skipped.
 */
export interface ReadOptions {
  required: readonly string[];
  sink: RejectSink;
  stats?: CsvStats;
  onBytes?: (n: number) => void;
  signal?: AbortSignal;
  /** Default MAX_RECORD_CHARS. A longer record fails the file (and the task) for good. */
  maxRecordChars?: number;
}

/** Turns the splitter's records into rows of the required columns, reporting what cannot be a row. */
class RowCollector implements RecordsOut {
  /** For each required column, its place in the header's fields (unset until the header is read). */
  private places?: number[];
  private width = 0;
  private rows: CsvRow[] = [];

  constructor(
    private readonly records: CsvRecords,
    private readonly options: ReadOptions,
    private readonly stats: CsvStats,
  ) {}

  record(fields: string[]): void {
    if (!this.places) return this.header(fields);
    const row = this.records.records;
    this.stats.dataRows++;
    if (fields.length !== this.width) return this.options.sink.add({ row, column: '', reason: `has ${fields.length} fields where the header has ${this.width}` });
    const places = this.places;
    const values = new Array<string>(places.length);
    for (let i = 0; i < places.length; i++) values[i] = fields[places[i]].trim();
    this.rows.push({ row, fields: values });
  }

  /**
   * The rows collected since the last take, let go of here: a generator suspended at its yield keeps what it
   * references alive, and the caller waits for the database before asking for more rows, so rows still held
   * here (and the chunk of text their fields are cut from) would live through that wait.
   */
  take(): CsvRow[] {
    const rows = this.rows;
    this.rows = [];
    return rows;
  }

  get pending(): boolean {
    return this.rows.length > 0;
  }

  unreadable(reason: string): void {
    const row = this.records.records;
    // An unreadable first record is the header: nothing can be read without it.
    if (!this.places) return this.refuse(`the header row is unreadable: ${reason}`, [{ column: '', reason }]);
    this.stats.dataRows++;
    this.options.sink.add({ row, column: '', reason });
  }

  get refused(): boolean {
    return this.stats.refused !== undefined;
  }

  /** Nothing was read: an empty file. */
  finish(): void {
    if (!this.places && !this.refused) this.refuse('the file is empty', [{ column: '', reason: 'the file is empty (no header row)' }]);
  }

  private header(fields: string[]): void {
    if (this.refused) return;
    const names = fields.map((h) => h.trim().toLowerCase());
    const { required } = this.options;
    const missing = required.filter((c) => !names.includes(c));
    if (missing.length) {
      return this.refuse(
        `missing column(s): ${missing.join(', ')}`,
        missing.map((column) => ({ column, reason: `the header has no "${column}" column (required: ${required.join(', ')})` })),
      );
    }
    // A name given twice: the last column of that name is read.
    this.places = required.map((c) => names.lastIndexOf(c));
    this.width = names.length;
  }

  private refuse(why: string, problems: { column: string; reason: string }[]): void {
    this.stats.refused = why;
    for (const p of problems) this.options.sink.add({ row: 1, ...p });
  }
}

/** Yields the file's rows a chunk at a time (a few thousand rows), so a caller awaits per chunk, not per row. */
export async function* readCsvRows(path: string, options: ReadOptions): AsyncGenerator<CsvRow[]> {
  const { stats = { dataRows: 0 }, onBytes, signal, maxRecordChars = MAX_RECORD_CHARS } = options;
  const records = new CsvRecords(maxRecordChars, basename(path));
  const rows = new RowCollector(records, options, stats);
  const decoder = new StringDecoder('utf8');
  const source = createReadStream(path);
  try {
    for await (const chunk of source as AsyncIterable<Buffer>) {
      onBytes?.(chunk.length);
      records.push(decoder.write(chunk), rows);
      if (rows.refused) return;
      if (rows.pending) yield rows.take();
      signal?.throwIfAborted();
      await options.sink.ready();
    }
    records.push(decoder.end(), rows);
    records.end(rows);
    rows.finish();
    if (rows.pending && !rows.refused) yield rows.take();
  } finally {
    source.destroy();
  }
}
