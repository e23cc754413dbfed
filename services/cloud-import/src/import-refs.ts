import type { Connection } from 'mongoose';
import { schoolModels, type AssessmentBatchRecord } from '@taskyard/school-data';
import { id as idRule, Invalid } from './field-rules';

/**
 * A pupil rows may name. `pupilId` is the id as stored here (read from the database or pupils.csv): documents take
 * it rather than a row's own text, a slice of a 64 KB chunk of the file that keeps the whole chunk alive while
 * the document waits for its batch (a heap snapshot of a 1,000,000-row import: ~45 chunks, ~3 MB, held so).
 */
export interface PupilRef {
  pupilId: string;
  schoolId: string;
  classId: string;
}

/**
 * What rows are checked against: the classes and pupils of the schools this import touches (from the
 * database, then from the zip's own classes.csv and pupils.csv as they are accepted) and the batches
 * its scores name. Sized by those schools, not by the zip.
 */
export class ImportRefs {
  readonly classes = new Map<string, string>();
  readonly pupils = new Map<string, PupilRef>();
  private readonly batches = new Map<string, Pick<AssessmentBatchRecord, 'schoolId' | 'channel'> | null>();

  private constructor(private readonly db: Connection) {}

  static async load(db: Connection, schoolIds: string[]): Promise<ImportRefs> {
    const refs = new ImportRefs(db);
    const m = schoolModels(db);
    // One equality per school (an index serves it; `$in` is not pushed down on FerretDB and scans).
    for (const schoolId of schoolIds) {
      for (const c of await m.Class.find({ schoolId }, { schoolId: 1 }).lean()) refs.classes.set(c._id, c.schoolId);
      for (const p of await m.Pupil.find({ schoolId }, { schoolId: 1, classId: 1 }).lean()) refs.pupils.set(p._id, { pupilId: p._id, schoolId: p.schoolId, classId: p.classId });
    }
    return refs;
  }

  /** Looks up the batches not looked up yet, of those that are ids (what rows name, unchecked): one query per batch, once. */
  async loadBatches(names: Set<string>): Promise<void> {
    for (const id of names) {
      if (this.batches.has(id) || idRule(id) instanceof Invalid) continue;
      const found = await schoolModels(this.db).AssessmentBatch.findById(id, { schoolId: 1, channel: 1 }).lean();
      this.batches.set(id, found ? { schoolId: found.schoolId, channel: found.channel } : null);
    }
  }

  /** A batch as stored, or as first named by this import; null when neither. `loadBatches` it first. */
  knownBatch(id: string): Pick<AssessmentBatchRecord, 'schoolId' | 'channel'> | null {
    const batch = this.batches.get(id);
    if (batch === undefined) throw new Error(`batch ${id} was not looked up`);
    return batch;
  }

  noteBatch(id: string, schoolId: string, channel: string): void {
    this.batches.set(id, { schoolId, channel });
  }
}
