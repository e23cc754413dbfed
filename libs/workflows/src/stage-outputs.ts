import mongoose, { type Connection, type Model } from 'mongoose';
import { fanOutChildId, type ArtifactRef, type StageOutput, type TaskEvent } from '@taskyard/contracts';
import { isDuplicateKey } from '@taskyard/tasks';
import { earlyEventSchema, type EarlyEventRecord } from './early-events';

const { Schema } = mongoose;

/** What one fan-out child left for its fan-in, `_id` = the child's task id: its insert happens once however often its success is told. */
export interface StageOutputRecord {
  _id: string;
  /** `<workflowId>/<stage>`: the stage's outputs are read and counted by this one indexed equality. */
  ws: string;
  item: number;
  result?: Record<string, unknown>;
  artifacts: ArtifactRef[];
  at: Date;
}

const outputSchema = new Schema<StageOutputRecord>(
  { _id: String, ws: String, item: Number, result: Schema.Types.Mixed, artifacts: Schema.Types.Mixed, at: Date },
  { versionKey: false, collection: 'workflow_outputs', minimize: false },
);
outputSchema.index({ ws: 1 });

export interface WorkflowModels {
  StageOutput: Model<StageOutputRecord>;
  EarlyEvent: Model<EarlyEventRecord>;
}

export function workflowModels(conn: Connection): WorkflowModels {
  return {
    StageOutput: conn.models.StageOutput ?? conn.model<StageOutputRecord>('StageOutput', outputSchema),
    EarlyEvent: conn.models.EarlyEvent ?? conn.model<EarlyEventRecord>('EarlyEvent', earlyEventSchema),
  };
}

export async function ensureWorkflowIndexes(models: WorkflowModels): Promise<void> {
  await models.StageOutput.createIndexes();
  await models.EarlyEvent.createIndexes();
}

export const outputsKey = (workflowId: string, stage: string): string => `${workflowId}/${stage}`;

/** Bulk writes stay at 32 statements or fewer (FerretDB hangs on ~64). */
const BATCH = 32;

type ChildFinished = Extract<TaskEvent, { kind: 'child-finished' }>;

/**
 * Stores the outputs of the fan-out children whose success these events tell (a repeated event's insert is a
 * duplicate, ignored) and answers, per stage touched, how many outputs it now holds: a recount, so a
 * restart between the insert and the parent's write loses nothing and counts nothing twice.
 */
export async function recordOutputs(models: WorkflowModels, workflowId: string, events: TaskEvent[], timeoutMs = 15_000): Promise<Map<string, number>> {
  const done = events.filter((e): e is ChildFinished => e.kind === 'child-finished' && e.childStatus === 'succeeded' && e.stage?.kind === 'fan-out');
  const at = new Date();
  const docs = done.map((e) => ({
    _id: e.childId,
    ws: outputsKey(workflowId, e.stage!.stage),
    item: e.stage!.item ?? 0,
    ...(e.result ? { result: e.result } : {}),
    artifacts: e.artifacts,
    at,
  }));
  for (let i = 0; i < docs.length; i += BATCH) {
    await models.StageOutput.collection.insertMany(docs.slice(i, i + BATCH) as never[], { ordered: false }).catch((err: unknown) => {
      if (!isDuplicateKey(err)) throw err;
    });
  }
  const counts = new Map<string, number>();
  for (const stage of new Set(done.map((e) => e.stage!.stage))) {
    counts.set(stage, await models.StageOutput.collection.countDocuments({ ws: outputsKey(workflowId, stage) } as never, { maxTimeMS: timeoutMs }));
  }
  return counts;
}

/** A fan-out's outputs, one at a time from a cursor (one indexed equality), in no particular order. */
export async function* readStageOutputs(models: WorkflowModels, workflowId: string, stage: string): AsyncGenerator<StageOutput> {
  const cursor = models.StageOutput.collection.find({ ws: outputsKey(workflowId, stage) } as never, { batchSize: 200 });
  for await (const doc of cursor as AsyncIterable<StageOutputRecord>) {
    yield { item: doc.item, taskId: doc._id, ...(doc.result ? { result: doc.result } : {}), artifacts: doc.artifacts ?? [] };
  }
}

/**
 * A retried fan-out keeps what its children that succeeded left: their outputs are copied under the retry's
 * own child ids (`_id` = the retry's `<id>.<stage>.<n>`, a unique insert: started again, it copies nothing
 * twice), so those children are not run again and the retry's recount includes them. Per item there is then
 * one output whether it was copied or its new child succeeds (a child that succeeded late in the failed
 * workflow and is also run again leaves one). Answers the items (0-based) that need no run.
 */
export async function reuseOutputs(
  models: WorkflowModels,
  from: string,
  to: string,
  stage: string,
  /** Which outputs still hold (default all): a retried task's items are made again by its handler and may differ. */
  keep: (out: StageOutput) => Promise<boolean> | boolean = () => true,
): Promise<Set<number>> {
  const items = new Set<number>();
  let batch: StageOutputRecord[] = [];
  const flush = async (): Promise<void> => {
    await models.StageOutput.collection.insertMany(batch as never[], { ordered: false }).catch((err: unknown) => {
      if (!isDuplicateKey(err)) throw err;
    });
    batch = [];
  };
  const at = new Date();
  for await (const out of readStageOutputs(models, from, stage)) {
    if (!(await keep(out))) continue;
    items.add(out.item);
    batch.push({ _id: fanOutChildId(to, stage, out.item + 1), ws: outputsKey(to, stage), item: out.item, ...(out.result ? { result: out.result } : {}), artifacts: out.artifacts, at });
    if (batch.length === BATCH) await flush();
  }
  if (batch.length) await flush();
  return items;
}
