import mongoose, { type Model } from 'mongoose';
import { TASK_STATUSES } from '@taskyard/contracts';
import type { TaskRecord } from './task-record';
import { isOpenStatus, nodeId, secondOf, statusScopes } from './list-keys';
import type { EndedTasks } from './ended-tasks';

const { Schema } = mongoose;

/**
 * A task's end, stored as a document of its own (`_id` = the task's id) by the status service, the task's one
 * writer, instead of an update of the task: FerretDB runs an insert command of several documents as one
 * multi-row INSERT, where an update reads and rewrites each task (bench/peers/README.md, "What an
 * insert-only end would cost": 0.12-0.15 against 0.45-0.9 ms of the database per task). Its unique `_id`
 * decides exactly one terminal state. It holds the fields the end changed (`u`: those it removed) and the
 * task's list keys from then on, plus the keys of the open-status lists the task document still names
 * (so a list of an open status finds, by the same equality, which of its tasks left it). Readers merge it
 * over the task (`withOutcome`); a task that ended before outcomes existed has none and is read as stored.
 */
export type TaskOutcomeRecord = Partial<Omit<TaskRecord, '_id'>> & {
  _id: string;
  status: TaskRecord['status'];
  /** Fields of the task the end removed. */
  u?: string[];
};

export const taskOutcomeSchema = new Schema<TaskOutcomeRecord>(
  {
    _id: { type: String, required: true },
    status: { type: String, enum: TASK_STATUSES, required: true },
    u: { type: [String], default: undefined },
    lk: { type: [String], default: undefined },
    parentId: String,
    failedKey: String,
  },
  // Written by the status service with the driver (the fold's fields as they are); the schema declares the indexes.
  { versionKey: false, collection: 'task_outcomes', strict: false, minimize: false },
);
// The same equalities the task's own indexes serve: a list's bucket, a parent's children, "failed of a type on a day".
taskOutcomeSchema.index({ lk: 1 });
taskOutcomeSchema.index({ parentId: 1 }, { sparse: true });
taskOutcomeSchema.index({ failedKey: 1 }, { sparse: true });

/** The outcomes' model on the tasks model's connection. */
export function outcomeModelOf(Task: Model<TaskRecord>): Model<TaskOutcomeRecord> {
  return (Task.db.models.TaskOutcome as Model<TaskOutcomeRecord> | undefined) ?? Task.db.model<TaskOutcomeRecord>('TaskOutcome', taskOutcomeSchema);
}

/** Whether a projection lists the fields it wants (else it leaves some out, or is empty: every field). */
const inclusive = (projection?: Record<string, 0 | 1>): boolean => projection !== undefined && Object.values(projection).includes(1);

/**
 * The task as it is: its outcome's fields over the stored task, those the outcome removed taken out. With a
 * projection, only the fields it lets through (the outcome's bookkeeping never reaches a reader that did not
 * ask for it). `hasOutcome` is not stored: it tells the status service that the end is an outcome.
 */
export function withOutcome<T extends { _id: string }>(task: T, outcome: TaskOutcomeRecord | null | undefined, projection?: Record<string, 0 | 1>): T {
  if (!outcome) return task;
  const merged: Record<string, unknown> = { ...task };
  const keep = inclusive(projection) ? (k: string): boolean => projection![k] === 1 || k === '_id' : (k: string): boolean => projection?.[k] !== 0;
  for (const k in outcome) if (k !== 'u' && keep(k)) merged[k] = (outcome as Record<string, unknown>)[k];
  for (const k of outcome.u ?? []) delete merged[k];
  return merged as T;
}

/** Reads a task and its outcome side by side, each by `_id`; null when there is no task. */
export async function readTask<T extends { _id: string }>(Task: Model<TaskRecord>, id: string, projection: Record<string, 0 | 1>, maxTimeMS: number): Promise<T | null> {
  const [task, outcome] = await Promise.all([
    Task.collection.findOne({ _id: id } as never, { projection, maxTimeMS }) as Promise<T | null>,
    readOutcome(outcomeModelOf(Task), id, maxTimeMS),
  ]);
  return task && withOutcome(task, outcome, projection);
}

export function readOutcome(Outcome: Model<TaskOutcomeRecord>, id: string, maxTimeMS: number): Promise<TaskOutcomeRecord | null> {
  return Outcome.collection.findOne({ _id: id } as never, { maxTimeMS }) as Promise<TaskOutcomeRecord | null>;
}

/** The status a list key's scope is of (`...|s.<status>@0:<second>`), or undefined for a list of every status. */
export function statusOfKey(key: string): string | undefined {
  const m = /\|s\.([^|@+]*)@/.exec(key);
  return m ? decodeURIComponent(m[1]) : undefined;
}

/** What a read of tasks with their ends may use: the list's status (outcomes of another are not its tasks) and a reader's memory. */
export interface EndsOptions {
  /** The status of the list read: a task whose outcome says another is left out without reading it. */
  status?: string;
  memory?: EndedTasks;
}

/**
 * The tasks an equality finds (on `lk`, `parentId` or `failedKey`, which outcomes carry too), with their ends:
 * the tasks and the outcomes read side by side by the same equality, and the task of an outcome found alone
 * (the task document does not name a key of the status it ended in) by `_id`.
 */
export async function tasksWithEnds<T extends { _id: string }>(
  Task: Model<TaskRecord>,
  filter: { lk: string } | { parentId: string } | { failedKey: string },
  projection: Record<string, 0 | 1>,
  maxTimeMS: number,
  limit = 0,
  opts: EndsOptions = {},
): Promise<T[]> {
  const [tasks, outcomes] = await Promise.all([
    Task.find(filter, projection).limit(limit).maxTimeMS(maxTimeMS).lean<T[]>().exec(),
    outcomeModelOf(Task).find(filter).limit(limit).maxTimeMS(maxTimeMS).lean<TaskOutcomeRecord[]>().exec(),
  ]);
  return mergeEnds(Task, tasks, outcomes, projection, maxTimeMS, opts);
}

/**
 * Tasks merged with the outcomes read by the same equality; an outcome's task not among them is read by `_id`
 * (or taken from the reader's memory: an ended task's document is no longer written, ended-tasks.ts).
 */
async function mergeEnds<T extends { _id: string }>(
  Task: Model<TaskRecord>,
  tasks: T[],
  outcomes: TaskOutcomeRecord[],
  projection: Record<string, 0 | 1>,
  maxTimeMS: number,
  opts: EndsOptions,
): Promise<T[]> {
  if (outcomes.length === 0) return tasks;
  opts.memory?.noteEnded(outcomes.map((o) => o._id));
  const byId = new Map(outcomes.map((o) => [o._id, o]));
  const found = new Set(tasks.map((t) => t._id));
  const alone = outcomes.filter((o) => !found.has(o._id) && (opts.status === undefined || o.status === opts.status));
  const projectionKey = JSON.stringify(projection);
  const others = await Promise.all(alone.map((o) => endedTaskDocument<T>(Task, o._id, projection, projectionKey, maxTimeMS, opts.memory)));
  return tasks.concat(others.filter((t): t is NonNullable<typeof t> => t !== null)).map((t) => withOutcome(t, byId.get(t._id), projection));
}

/** An ended task's document (as stored, its end apart), from the reader's memory or read by `_id` and kept. */
async function endedTaskDocument<T extends { _id: string }>(
  Task: Model<TaskRecord>,
  id: string,
  projection: Record<string, 0 | 1>,
  projectionKey: string,
  maxTimeMS: number,
  memory?: EndedTasks,
): Promise<T | null> {
  const kept = memory?.doc<T>(id, projectionKey);
  if (kept) return kept;
  // The driver's own findOne: a read per task here, where mongoose's query building costs more CPU than the read.
  const doc = (await Task.collection.findOne({ _id: id } as never, { projection, maxTimeMS })) as T | null;
  if (doc) memory?.keepDoc(doc, projectionKey);
  return doc;
}

/**
 * The tasks a list's bucket holds now (`lk` = `key`): a task with an outcome is listed as it ended, and only
 * if its status is the list's (a list of an open status leaves out the tasks that ended since). A bucket of an
 * open list whose every task had ended when this reader last read it is read as its tasks' ids alone, unless a
 * task new to the reader is in it (ended-tasks.ts): a fast job's task document keeps its `queued` keys, so
 * until the second's mark is pruned (list-prune.ts) every page of that list finds its ended tasks there again.
 */
export async function bucketTasks<T extends { _id: string; status: string }>(
  Task: Model<TaskRecord>,
  key: string,
  projection: Record<string, 0 | 1>,
  maxTimeMS: number,
  memory?: EndedTasks,
): Promise<T[]> {
  const status = statusOfKey(key);
  const open = status !== undefined && isOpenStatus(status);
  if (open && memory?.bucketEnded(key)) {
    // The ids alone (the driver's find: no document to build); a task new to the reader, rare in a past second, is read with the rest below.
    const ids = (await Task.collection.find({ lk: key } as never, { projection: { _id: 1 }, maxTimeMS }).toArray()) as unknown as { _id: string }[];
    if (ids.every((t) => memory.isEnded(t._id))) return [];
  }
  const rows = await tasksWithEnds<T>(Task, { lk: key }, projection, maxTimeMS, 0, { status, memory });
  const listed = status === undefined ? rows : rows.filter((t) => t.status === status);
  if (open) memory?.noteBucket(key, listed.length === 0);
  return listed;
}

/** Whether a list's bucket holds a task now (bucketTasks without reading any task's other fields). */
export async function bucketHeld(Task: Model<TaskRecord>, key: string, maxTimeMS: number): Promise<boolean> {
  const [tasks, outcomes] = await Promise.all([
    Task.find({ lk: key }, { _id: 1 }).maxTimeMS(maxTimeMS).lean<{ _id: string }[]>().exec(),
    outcomeModelOf(Task).find({ lk: key }, { status: 1 }).maxTimeMS(maxTimeMS).lean<TaskOutcomeRecord[]>().exec(),
  ]);
  const status = statusOfKey(key);
  if (outcomes.some((o) => status === undefined || o.status === status)) return true;
  const ended = new Set(outcomes.map((o) => o._id));
  return tasks.some((t) => !ended.has(t._id));
}

/** The stored task's fields an outcome is made from. */
export type EndedTask = Pick<TaskRecord, '_id' | 'owner' | 'status' | 'createdAt' | 'parentId'>;

/**
 * The keys of the lists of the task document's own status (the status it was stored with): the lists its end
 * leaves. Kept in the outcome so that every key the task document names, the outcome names too: a list's
 * bucket read by that key finds the end, and leaves the task out where its status is no longer the list's.
 */
function leftKeys(stored: EndedTask): string[] {
  const second = secondOf(stored.createdAt);
  return statusScopes(stored).map((s) => nodeId(s, 0, second));
}

/** An outcome's keys of the lists its task document names for its own status, kept when the end changes lists again. */
export const keysLeft = (outcome: Pick<TaskOutcomeRecord, 'lk' | 'status'>): string[] =>
  (outcome.lk ?? []).filter((k) => {
    const status = statusOfKey(k);
    return status !== undefined && status !== outcome.status;
  });

/**
 * The outcome of an end, from the stored task and the end's update (its `$set` holding the new status and its
 * list keys): the changed fields, the removed ones' names, the new keys and those of the lists left, and the
 * parent's id (a parent's children are read with their ends by that equality).
 */
export function outcomeDocument(stored: EndedTask, update: { $set?: Record<string, unknown>; $unset?: Record<string, unknown> }): TaskOutcomeRecord {
  const set = update.$set ?? {};
  const lk = [...((set.lk as string[] | undefined) ?? []), ...leftKeys(stored)];
  const unset = Object.keys(update.$unset ?? {});
  const doc: TaskOutcomeRecord = { ...set, _id: stored._id, status: set.status as TaskOutcomeRecord['status'] };
  delete doc.lk;
  if (lk.length) doc.lk = lk;
  if (unset.length) doc.u = unset;
  if (stored.parentId) doc.parentId = stored.parentId;
  return doc;
}
