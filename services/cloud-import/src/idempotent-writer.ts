import { insertNew } from '@taskyard/school-data';
import { fingerprint, knownDocuments, type ScanTarget } from './known-documents';
import type { Rejection } from './rejections';

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

/** Refuses to overwrite an existing document (e.g. one that belongs to another school): the reason, or undefined. */
export type Guard<T> = (incoming: T, existing: T) => Rejection | undefined;

/** insert batches: one round trip per 1,000 documents. */
const BATCH = 1000;
/** Batches written at once: FerretDB and PostgreSQL work on one while the next is parsed and sent. */
const IN_FLIGHT = 2;
/** FerretDB hangs on a bulkWrite of about 64 statements or more: keep well under. */
const REPLACE_CHUNK = 32;

type Entry<T> = { doc: T; row: number };

/** The fingerprint of a document this import inserted (its content is not needed unless the zip repeats it). */
const WRITTEN_NOW = '';

/**
 * Writes documents with deterministic `_id`s idempotently and without per-row upserts (FerretDB upserts
 * one at a time, ~600/s). It first learns what the schools already hold (`knownDocuments`), then each
 * batch inserts only new ids in one unordered insert, leaves identical documents alone and replaces
 * only those that differ. Re-running the same import therefore writes nothing. Two batches are in
 * flight while the next is parsed, so parsing overlaps the database's work.
 */
export class IdempotentWriter<T extends { _id: string }> {
  readonly counts: WriteCounts = { inserted: 0, updated: 0, unchanged: 0 };
  private batch: Entry<T>[] = [];
  private readonly inFlight: Promise<void>[] = [];
  private known?: Map<string, string>;
  private loading?: Promise<Map<string, string>>;

  constructor(
    private readonly target: WriteTarget,
    private readonly schools: string[],
    private readonly onReject: (r: Rejection) => void,
    private readonly guard?: Guard<T>,
  ) {}

  async add(doc: T, row: number): Promise<void> {
    this.batch.push({ doc, row });
    if (this.batch.length >= BATCH) await this.flush();
  }

  /** Starts writing the current batch, with at most IN_FLIGHT batches being written at once. */
  async flush(): Promise<void> {
    const batch = this.batch;
    this.batch = [];
    while (this.inFlight.length >= IN_FLIGHT) await this.inFlight.shift();
    if (batch.length) {
      const writing = this.write(batch);
      // Marked handled now; the error still surfaces at the next flush or close, which await it.
      writing.catch(() => undefined);
      this.inFlight.push(writing);
    }
  }

  async close(): Promise<WriteCounts> {
    await this.flush();
    while (this.inFlight.length) await this.inFlight.shift();
    return this.counts;
  }

  private async write(batch: Entry<T>[]): Promise<void> {
    this.known ??= await (this.loading ??= knownDocuments(this.target, this.schools));
    // The last row wins when one batch names an id twice (e.g. a corrected row further down the file).
    const byId = new Map(batch.map((b) => [b.doc._id, b]));
    const fresh: T[] = [];
    const changed: Entry<T>[] = [];
    for (const entry of byId.values()) {
      const before = this.known.get(entry.doc._id);
      if (before === undefined) {
        // New: no fingerprint needed (hashing every new document cost ~5% of a fresh import).
        fresh.push(entry.doc);
        this.known.set(entry.doc._id, WRITTEN_NOW);
        continue;
      }
      const print = fingerprint(entry.doc);
      // Written earlier in this import (the zip names it twice): the later row wins.
      if (before !== WRITTEN_NOW && before === print) this.counts.unchanged++;
      else changed.push(entry);
      this.known.set(entry.doc._id, print);
    }
    const { inserted, existing } = await insertNew(this.target, fresh);
    this.counts.inserted += inserted;
    // Rare: an id another school holds (not in `known`). Looked up one by one.
    for (const id of existing) await this.settleExisting(byId.get(id)!, changed);
    await this.replace(changed.map((e) => e.doc));
  }

  private async settleExisting(entry: Entry<T>, changed: Entry<T>[]): Promise<void> {
    const current = (await this.target.findOne({ _id: entry.doc._id })) as T | null;
    if (current && fingerprint(current) === fingerprint(entry.doc)) {
      this.counts.unchanged++;
      return;
    }
    const refused = current && this.guard?.(entry.doc, current);
    if (refused) {
      this.known!.delete(entry.doc._id);
      this.onReject({ ...refused, row: entry.row });
    } else changed.push(entry);
  }

  private async replace(docs: T[]): Promise<void> {
    for (let i = 0; i < docs.length; i += REPLACE_CHUNK) {
      const ops = docs.slice(i, i + REPLACE_CHUNK).map((d): ReplaceOp => ({ replaceOne: { filter: { _id: d._id }, replacement: d, upsert: true } }));
      await this.target.bulkWrite(ops, { ordered: false });
    }
    this.counts.updated += docs.length;
  }
}
