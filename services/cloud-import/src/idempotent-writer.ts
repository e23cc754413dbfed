import { insertNew } from '@taskyard/school-data';
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
export interface WriteTarget {
  insertMany(docs: object[], options: { ordered: boolean }): Promise<{ insertedCount: number }>;
  find(filter: object): { toArray(): Promise<object[]> };
  bulkWrite(ops: ReplaceOp[], options: { ordered: boolean }): Promise<unknown>;
}

/** Refuses to overwrite an existing document (e.g. one that belongs to another school): the reason, or undefined. */
export type Guard<T> = (incoming: T, existing: T) => Rejection | undefined;

/** insert batches: one round trip per 1,000 documents. */
const BATCH = 1000;
/** FerretDB hangs on a bulkWrite of about 64 statements or more: keep well under. */
const REPLACE_CHUNK = 32;

function sameDoc(a: object, b: object): boolean {
  const x = a as Record<string, unknown>;
  const y = b as Record<string, unknown>;
  const keys = Object.keys(x);
  return keys.length === Object.keys(y).length && keys.every((k) => JSON.stringify(x[k]) === JSON.stringify(y[k]));
}

/**
 * Writes documents with deterministic `_id`s idempotently, without per-row upserts (FerretDB upserts one
 * at a time, ~600/s): each batch is one unordered insert; a duplicate key means the document is there,
 * and only those that differ are replaced. Re-running the same import therefore writes nothing. One
 * batch is in flight while the next is being parsed, so parsing overlaps the database's work.
 */
export class IdempotentWriter<T extends { _id: string }> {
  readonly counts: WriteCounts = { inserted: 0, updated: 0, unchanged: 0 };
  private batch: { doc: T; row: number }[] = [];
  private inFlight: Promise<void> = Promise.resolve();

  constructor(
    private readonly target: WriteTarget,
    private readonly onReject: (r: Rejection) => void,
    private readonly guard?: Guard<T>,
  ) {}

  async add(doc: T, row: number): Promise<void> {
    this.batch.push({ doc, row });
    if (this.batch.length >= BATCH) await this.flush();
  }

  /** Starts writing the current batch once the previous one is done; waits only for the previous one. */
  async flush(): Promise<void> {
    const batch = this.batch;
    this.batch = [];
    await this.inFlight;
    if (batch.length) {
      this.inFlight = this.write(batch);
      // Marked handled now; the error still surfaces at the next flush or close, which await it.
      this.inFlight.catch(() => undefined);
    }
  }

  async close(): Promise<WriteCounts> {
    await this.flush();
    await this.inFlight;
    return this.counts;
  }

  private async write(batch: { doc: T; row: number }[]): Promise<void> {
    // The last row wins when one batch names an id twice (e.g. a corrected row further down the file).
    const byId = new Map(batch.map((b) => [b.doc._id, b]));
    const docs = [...byId.values()].map((b) => b.doc);
    const { inserted, existing } = await insertNew(this.target, docs);
    this.counts.inserted += inserted;
    if (existing.length === 0) return;
    const current = new Map(((await this.target.find({ _id: { $in: existing } }).toArray()) as T[]).map((d) => [d._id, d]));
    const changed: T[] = [];
    for (const id of existing) {
      const { doc, row } = byId.get(id)!;
      const before = current.get(id);
      if (before && sameDoc(doc, before)) {
        this.counts.unchanged++;
        continue;
      }
      const refused = before && this.guard?.(doc, before);
      if (refused) this.onReject({ ...refused, row });
      else changed.push(doc);
    }
    for (let i = 0; i < changed.length; i += REPLACE_CHUNK) {
      const ops = changed.slice(i, i + REPLACE_CHUNK).map((d): ReplaceOp => ({ replaceOne: { filter: { _id: d._id }, replacement: d, upsert: true } }));
      await this.target.bulkWrite(ops, { ordered: false });
    }
    this.counts.updated += changed.length;
  }
}
