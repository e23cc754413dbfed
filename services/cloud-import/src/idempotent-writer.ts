import { insertNew } from '@taskyard/school-data';
import { fingerprint } from './fingerprint';
import { knownDocuments, type ScanTarget } from './known-documents';
import type { Rejection } from './rejections';
import type { WriteTracker } from './write-tracker';

/** What a batch of writes did: new documents, documents that differed and were replaced, and the same. */
export interface WriteCounts {
  inserted: number;
  updated: number;
  unchanged: number;
}

interface ReplaceOp {
  replaceOne: { filter: Record<string, unknown>; replacement: object; upsert: boolean };
}

/** The driver calls the writer makes (a mongoose `Model.collection` fits). */
export interface WriteTarget extends ScanTarget {
  insertMany(docs: object[], options: { ordered: boolean }): Promise<{ insertedCount: number }>;
  findOne(filter: object): Promise<object | null>;
  bulkWrite(ops: ReplaceOp[], options: { ordered: boolean }): Promise<unknown>;
}

/** Refuses to overwrite an existing document (e.g. one that belongs to another school): why, or undefined. */
export type Guard<T> = (incoming: T, existing: T) => Omit<Rejection, 'row'> | undefined;

export interface WriterOptions<T> {
  /** The schools the import writes: what they hold is learnt once, up front. */
  schools: string[];
  /** A document the guard refused when its batch was written: each of its rows is reported, the caller forgets what it noted. */
  onRefused?: (refusal: Omit<Rejection, 'row'>, rows: readonly number[], doc: T) => void;
  guard?: Guard<T>;
  /** Where the batches under way are noted, so an import that stops early can wait for them. */
  tracker?: WriteTracker;
}

/** insert batches: one round trip per 1,000 documents. */
const BATCH = 1000;
/** Batches written at once: FerretDB and PostgreSQL work on one while the next is parsed and sent. */
const IN_FLIGHT = 2;
/** FerretDB hangs on a bulkWrite of about 64 statements or more: keep well under. */
const REPLACE_CHUNK = 32;

/** A document to write, the rows it came from, and the stored document's fingerprint before this import (if any). */
type Entry<T> = { doc: T; rows: readonly number[]; before: string | undefined };


/**
 * Writes documents with deterministic `_id`s idempotently and without per-row upserts (FerretDB upserts
 * one at a time, ~600/s). It first learns what the schools already hold (`knownDocuments`), then each
 * batch inserts only new ids in one unordered insert, leaves identical documents alone and replaces
 * only those that differ. Re-running the same import therefore writes nothing. Two batches are in
 * flight while the next is parsed, so parsing overlaps the database's work. An id is taken by the
 * first row that names it: callers ask `takenAt` before accepting a row, so a repeat is refused at once.
 * `load()` first; after it, `takenAt` and `add` are synchronous.
 */
export class IdempotentWriter<T extends { _id: string }> {
  readonly counts: WriteCounts = { inserted: 0, updated: 0, unchanged: 0 };
  private batch: Entry<T>[] = [];
  /** Full batches not yet started. */
  private readonly full: Entry<T>[][] = [];
  private readonly inFlight: Promise<void>[] = [];
  /** id -> the stored document's fingerprint, or the row of this import that took the id (a number: no string per id). */
  private known?: Map<string, string | number>;

  constructor(
    private readonly target: WriteTarget,
    private readonly opts: WriterOptions<T>,
  ) {}

  /** Learns what the schools already hold; call once before anything else. */
  async load(): Promise<this> {
    this.known = await knownDocuments(this.target, this.opts.schools);
    return this;
  }

  private get knownIds(): Map<string, string | number> {
    if (!this.known) throw new Error('IdempotentWriter used before load()');
    return this.known;
  }

  /** The row of this import that already took `id`, if one did. */
  takenAt(id: string): number | undefined {
    const mark = this.knownIds.get(id);
    return typeof mark === 'number' ? mark : undefined;
  }

  /**
   * Queues a document for writing; `rows` are the rows it came from (the first one takes its id). Check
   * `takenAt` first. Nothing is sent here: callers await `room()` now and then (after each chunk of rows),
   * so a row costs no await of its own.
   */
  add(doc: T, rows: readonly number[]): void {
    const known = this.knownIds;
    const before = known.get(doc._id);
    if (typeof before === 'number') throw new Error(`${doc._id} was already written by row ${before}`);
    known.set(doc._id, rows[0]);
    this.batch.push({ doc, rows, before });
    if (this.batch.length >= BATCH) {
      this.full.push(this.batch);
      this.batch = [];
    }
  }

  /** Starts writing the full batches, with at most IN_FLIGHT batches being written at once. */
  async room(): Promise<void> {
    while (this.full.length) await this.start(this.full.shift()!);
  }

  async close(): Promise<WriteCounts> {
    await this.room();
    await this.start(this.batch);
    this.batch = [];
    while (this.inFlight.length) await this.inFlight.shift();
    return this.counts;
  }

  private async start(batch: Entry<T>[]): Promise<void> {
    while (this.inFlight.length >= IN_FLIGHT) await this.inFlight.shift();
    if (!batch.length) return;
    const writing = this.write(batch);
    // Marked handled now; the error still surfaces at the next room or close, which await it.
    writing.catch(() => undefined);
    this.opts.tracker?.add(writing);
    this.inFlight.push(writing);
  }

  private async write(batch: Entry<T>[]): Promise<void> {
    const fresh: Entry<T>[] = [];
    const changed: T[] = [];
    for (const entry of batch) {
      // New: no fingerprint needed (hashing every new document cost ~5% of a fresh import).
      if (entry.before === undefined) fresh.push(entry);
      else if (entry.before === fingerprint(entry.doc)) this.counts.unchanged++;
      else changed.push(entry.doc);
    }
    const { inserted, existing } = await insertNew(this.target, fresh.map((e) => e.doc));
    this.counts.inserted += inserted;
    // Rare: an id another school holds (not in `known`). Looked up one by one.
    const byId = new Map(fresh.map((e) => [e.doc._id, e]));
    for (const id of existing) await this.settleExisting(byId.get(id)!, changed);
    await this.replace(changed);
  }

  private async settleExisting(entry: Entry<T>, changed: T[]): Promise<void> {
    const current = (await this.target.findOne({ _id: entry.doc._id })) as T | null;
    if (current && fingerprint(current) === fingerprint(entry.doc)) {
      this.counts.unchanged++;
      return;
    }
    const refused = current && this.opts.guard?.(entry.doc, current);
    if (refused) this.opts.onRefused?.(refused, entry.rows, entry.doc);
    else changed.push(entry.doc);
  }

  private async replace(docs: T[]): Promise<void> {
    for (let i = 0; i < docs.length; i += REPLACE_CHUNK) {
      const ops = docs.slice(i, i + REPLACE_CHUNK).map((d): ReplaceOp => ({ replaceOne: { filter: { _id: d._id }, replacement: d, upsert: true } }));
      await this.target.bulkWrite(ops, { ordered: false });
    }
    this.counts.updated += docs.length;
  }
}
