import mongoose, { type Model } from 'mongoose';
import type { TaskEvent } from '@taskyard/contracts';
import { isDuplicateKey } from '@taskyard/tasks';

const { Schema } = mongoose;

type ChildFinished = Extract<TaskEvent, { kind: 'child-finished' }>;

/**
 * A child's end told to a task whose workflow record is not written yet. A task that continues as a workflow
 * inserts its children before it writes its record, so a child can end first, and its event can reach the
 * task first when the continuation's batch was requeued (a quorum queue puts a requeued message behind those
 * that came meanwhile). Such an event is kept here, `_id` = the child's id (told twice, kept once), until the
 * continuation folds it.
 */
export interface EarlyEventRecord {
  _id: string;
  /** The task the child belongs to: read by this one indexed equality. */
  parent: string;
  event: ChildFinished;
  at: Date;
}

export const earlyEventSchema = new Schema<EarlyEventRecord>(
  { _id: String, parent: String, event: Schema.Types.Mixed, at: Date },
  { versionKey: false, collection: 'workflow_early_events', minimize: false },
);
earlyEventSchema.index({ parent: 1 });

/** Bulk writes stay at 32 statements or fewer (FerretDB hangs on ~64). */
const BATCH = 32;

export const isChildFinished = (e: TaskEvent): e is ChildFinished => e.kind === 'child-finished';

/** Keeps the children's ends among `events` for their task's workflow (a repeat is a duplicate, ignored). */
export async function keepEarlyEvents(model: Model<EarlyEventRecord>, parent: string, events: TaskEvent[]): Promise<number> {
  const at = new Date();
  const docs = events.filter(isChildFinished).map((event) => ({ _id: event.childId, parent, event, at }));
  for (let i = 0; i < docs.length; i += BATCH) {
    await model.collection.insertMany(docs.slice(i, i + BATCH) as never[], { ordered: false }).catch((err: unknown) => {
      if (!isDuplicateKey(err)) throw err;
    });
  }
  return docs.length;
}

/** The children's ends kept for this task, in the order they were told. */
export async function readEarlyEvents(model: Model<EarlyEventRecord>, parent: string, timeoutMs = 15_000): Promise<ChildFinished[]> {
  const docs = (await model.collection.find({ parent } as never, { maxTimeMS: timeoutMs }).toArray()) as unknown as EarlyEventRecord[];
  return docs.sort((a, b) => new Date(a.at).getTime() - new Date(b.at).getTime() || a._id.localeCompare(b._id)).map((d) => d.event);
}

/** Once folded into the written record they are not needed (each delete by `_id`). */
export async function dropEarlyEvents(model: Model<EarlyEventRecord>, events: ChildFinished[]): Promise<void> {
  for (const e of events) await model.collection.deleteOne({ _id: e.childId } as never);
}
