import { createReadStream } from 'node:fs';
import { Transform } from 'node:stream';
import { parse, type CsvError } from 'csv-parse';
import { PermanentJobError } from '@taskyard/worker';
import type { RejectSink } from './rejections';

/** One data row: its spreadsheet row number and its values by (lower-cased) column name. */
export interface CsvRow {
  row: number;
  values: Record<string, string>;
}

/** What the reader saw: data rows (read or not), and why the whole file was refused, if it was. */
export interface CsvStats {
  dataRows: number;
  refused?: string;
}

/** How often the reader lets the rejected-rows file drain. */
const DRAIN_EVERY = 1000;

/**
 * The longest record the reader takes, in characters: a real row is well under 1 KB, and without a cap one
 * huge line (2 GiB of it deflates to ~2 MB and passes every zip check) would be buffered whole.
 */
export const MAX_RECORD_CHARS = 64 * 1024;

function counter(onBytes: (n: number) => void): Transform {
  return new Transform({
    transform(chunk: Buffer, _enc, done) {
      onBytes(chunk.length);
      done(null, chunk);
    },
  });
}

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

export async function* readCsvRows(path: string, options: ReadOptions): AsyncGenerator<CsvRow> {
  const { required, sink, stats = { dataRows: 0 }, onBytes = () => undefined, signal, maxRecordChars = MAX_RECORD_CHARS } = options;
  // Row numbers count the records the parser skipped too: `skips` holds, for each, how many records came before it.
  const skips: number[] = [];
  const parser = parse({ bom: true, skip_empty_lines: true, relax_column_count: true, skip_records_with_error: true, max_record_size: maxRecordChars });
  parser.on('skip', (err: CsvError) => {
    if (err.code === 'CSV_MAX_RECORD_SIZE') {
      // Not a bad row to skip: the rest of the record would still be read into memory.
      parser.destroy(new PermanentJobError('record-too-large', `a record near line ${err.lines ?? '?'} is longer than ${maxRecordChars} characters; the file is refused`));
      return;
    }
    const before = Number((err as CsvError & { records?: number }).records ?? 0);
    sink.add({ row: before + skips.length + 1, column: '', reason: `unreadable CSV: ${err.message}` });
    skips.push(before);
    stats.dataRows++;
  });
  const source = createReadStream(path).pipe(counter(onBytes));
  source.on('error', (err) => parser.destroy(err));
  source.pipe(parser);
  let header: string[] | undefined;
  let records = 0;
  let skipped = 0;
  for await (const record of parser as AsyncIterable<string[]>) {
    records++;
    while (skipped < skips.length && skips[skipped] < records) skipped++;
    const row = records + skipped;
    if (!header) {
      header = record.map((h) => h.trim().toLowerCase());
      const missing = required.filter((c) => !header!.includes(c));
      for (const column of missing) sink.add({ row: 1, column, reason: `the header has no "${column}" column (required: ${required.join(', ')})` });
      if (missing.length) {
        stats.refused = `missing column(s): ${missing.join(', ')}`;
        parser.destroy();
        return;
      }
      continue;
    }
    stats.dataRows++;
    if (record.length !== header.length) {
      sink.add({ row, column: '', reason: `has ${record.length} fields where the header has ${header.length}` });
      continue;
    }
    const values: Record<string, string> = {};
    for (let i = 0; i < header.length; i++) values[header[i]] = record[i].trim();
    yield { row, values };
    if (records % DRAIN_EVERY === 0) {
      signal?.throwIfAborted();
      await sink.ready();
    }
  }
  if (!header) {
    stats.refused = 'the file is empty';
    sink.add({ row: 1, column: '', reason: 'the file is empty (no header row)' });
  }
}
