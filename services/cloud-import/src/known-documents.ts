import { fingerprint } from './fingerprint';

/** The part of a driver collection this reads (a mongoose `Model.collection` fits). */
export interface ScanTarget {
  find(filter: object, options: { batchSize: number }): AsyncIterable<object>;
}

/**
 * What a collection already holds for the schools an import writes: id -> fingerprint. On FerretDB a
 * duplicate-key insert costs ~30 ms and an `_id: {$in}` query scans the whole table, while one scan per
 * school (its equality filter is pushed down to PostgreSQL) streams ~15,000 documents/s: so an import
 * learns what is there once, then inserts only what is new. Safe because the school's lease keeps
 * every other import out until this one is done. Memory: one short entry per existing document.
 */
export async function knownDocuments(target: ScanTarget, schools: string[]): Promise<Map<string, string | number>> {
  const known = new Map<string, string | number>();
  for (const schoolId of schools) {
    for await (const doc of target.find({ schoolId }, { batchSize: 2000 })) {
      const d = doc as { _id: string };
      known.set(d._id, fingerprint(d));
    }
  }
  return known;
}
