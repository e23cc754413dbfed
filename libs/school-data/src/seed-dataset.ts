import type { Connection } from 'mongoose';
import { type DatasetShape, DEFAULT_SHAPE, generateSchool, type SeedItem } from './generate-school';
import { insertNew, type InsertTarget } from './insert-new';
import { ensureSchoolIndexes, schoolModels } from './models';
import { CHANNELS } from './names';

export interface SeedCounts {
  [kind: string]: { inserted: number; existing: number };
}

/** insertMany batches: big enough to amortise the round trip, small enough to keep memory flat. */
const BATCH = 1000;

/** Buffers records per collection and writes them in unordered insert batches. */
class BatchedWriter {
  private readonly buffers = new Map<SeedItem['kind'], object[]>();
  readonly counts: SeedCounts = {};

  constructor(private readonly targets: Record<SeedItem['kind'], InsertTarget>) {}

  async add(item: SeedItem): Promise<void> {
    const buf = this.buffers.get(item.kind) ?? [];
    this.buffers.set(item.kind, buf);
    buf.push(item.doc);
    if (buf.length >= BATCH) await this.flush(item.kind);
  }

  async flush(kind: SeedItem['kind']): Promise<void> {
    const docs = (this.buffers.get(kind) ?? []) as { _id: string }[];
    this.buffers.set(kind, []);
    const out = await insertNew(this.targets[kind], docs);
    const c = (this.counts[kind] ??= { inserted: 0, existing: 0 });
    c.inserted += out.inserted;
    c.existing += out.existing.length;
  }

  async flushAll(): Promise<void> {
    for (const kind of this.buffers.keys()) await this.flush(kind);
  }
}

/**
 * Writes a deterministic school dataset: the same shape and seed give the same documents, and a
 * re-run inserts nothing new (duplicate keys are "already there").
 */
export async function seedDataset(
  conn: Connection,
  partial: Partial<DatasetShape> = {},
  onSchool?: (n: number, counts: SeedCounts) => void,
): Promise<SeedCounts> {
  const shape = { ...DEFAULT_SHAPE, ...partial };
  const m = schoolModels(conn);
  await ensureSchoolIndexes(conn);
  await insertNew(m.Channel.collection, CHANNELS.map((c) => ({ _id: c, name: c })));
  const writer = new BatchedWriter({
    school: m.School.collection,
    class: m.Class.collection,
    pupil: m.Pupil.collection,
    spellingTest: m.SpellingTest.collection,
    spellingWeek: m.SpellingWeek.collection,
    assessmentBatch: m.AssessmentBatch.collection,
    assessmentScore: m.AssessmentScore.collection,
    pupilCheck: m.PupilCheck.collection,
  });
  for (let n = 1; n <= shape.schools; n++) {
    for (const item of generateSchool(n, shape)) await writer.add(item);
    await writer.flushAll();
    onSchool?.(n, writer.counts);
  }
  return writer.counts;
}
