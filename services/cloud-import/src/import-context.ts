import type { Connection } from 'mongoose';
import type { CsvRow } from './csv-rows';
import type { WriteCounts } from './idempotent-writer';
import type { ImportRefs } from './import-refs';
import type { RejectSink } from './rejections';
import type { WriteTracker } from './write-tracker';

/** What each file's importer gets. */
export interface ImportContext {
  db: Connection;
  refs: ImportRefs;
  /** The schools the import writes (and holds the leases of). */
  schools: string[];
  sink: RejectSink;
  signal: AbortSignal;
  /** Every writer of the file notes its batches under way here. */
  tracker: WriteTracker;
}

/** Reads a file's rows (a chunk at a time), checks each, writes the good ones; returns the documents written. */
export type FileImporter = (rows: AsyncIterable<CsvRow[]>, c: ImportContext) => Promise<WriteCounts>;
