import mongoose, { type Connection, type Model } from 'mongoose';
import { TASK_STATUSES, type CallbackAttempt, type CallbackState } from '@taskyard/contracts';
import type { ListMarkRecord } from './list-keys';
import { markHeadsSince } from './list-heads';
import type { TaskRecord } from './task-record';
import { outcomeModelOf, type TaskOutcomeRecord } from './task-outcome';

const { Schema } = mongoose;

const artifactSchema = new Schema({ name: String, key: String, size: Number, contentType: String, url: String }, { _id: false });
const logSchema = new Schema({ at: String, level: String, message: String }, { _id: false });

export const taskSchema = new Schema<TaskRecord>(
  {
    _id: { type: String, required: true },
    type: { type: String, required: true },
    title: { type: String, required: true },
    owner: { type: String, required: true },
    tag: String,
    params: { type: Schema.Types.Mixed, default: {} },
    status: { type: String, enum: TASK_STATUSES, required: true },
    progress: { type: Number, default: 0 },
    attempt: { type: Number, default: 0 },
    maxAttempts: { type: Number, required: true },
    artifacts: { type: [artifactSchema], default: [] },
    error: { type: new Schema({ code: String, message: String }, { _id: false }), default: undefined },
    logs: { type: [logSchema], default: [] },
    idempotencyKey: String,
    idempotencyScope: String,
    idempotencyFingerprint: Schema.Types.Mixed,
    parentId: String,
    callbackUrl: String,
    createdAt: { type: Date, required: true },
    queuedAt: { type: Date, required: true },
    startedAt: Date,
    finishedAt: Date,
    expiresAt: Date,
    durationMs: Number,
    slotId: String,
    runId: String,
    lastSeq: Number,
    heartbeatAt: Date,
    cancelRequestedAt: Date,
    retryAt: Date,
    result: Schema.Types.Mixed,
    attempts: { type: [Schema.Types.Mixed], default: undefined },
    runAt: Date,
    priority: String,
    retryOf: String,
    scheduleId: String,
    occurrenceId: String,
    failedKey: String,
    stage: Schema.Types.Mixed,
    workflow: Schema.Types.Mixed,
    lk: { type: [String], default: undefined },
  },
  { versionKey: false, collection: 'tasks', minimize: false },
);
// Every index here is an equality the code filters on (on the local FerretDB each becomes a GIN index
// that serves it, see deploy/local/ferretdb/gin-indexes.sql and /work/coord/INDEXES.md). No index on a
// time or a status: lists are read through `lk` (list-keys.ts), sweepers never read this collection.
taskSchema.index({ lk: 1 });
taskSchema.index({ parentId: 1 }, { sparse: true });
taskSchema.index({ idempotencyScope: 1 }, { unique: true, sparse: true });
// "Retry every failed task of a type since": one equality per day, on one field (type and day in it).
taskSchema.index({ failedKey: 1 }, { sparse: true });

/** One document per held place under an owner's unfinished limit: `<owner>:<type>:<k>`, taken by insert, freed by delete. */
export interface SlotRecord {
  _id: string;
  taskId: string;
  takenAt: Date;
}
const slotSchema = new Schema<SlotRecord>({ _id: String, taskId: String, takenAt: Date }, { versionKey: false, collection: 'slots' });

/**
 * Tasks whose messages the broker has not confirmed yet: written before the tasks are inserted, deleted once
 * the broker has confirmed them. A relay acts on it from `relayAfter` on: publishes its tasks still waiting,
 * skips those never inserted, deletes it. `taskIds` for a group's entry; else the entry's `_id` is the task's.
 * See outbox.ts.
 */
export interface OutboxRecord {
  _id: string;
  taskIds?: string[];
  createdAt: Date;
  relayAfter: Date;
}
const outboxSchema = new Schema<OutboxRecord>({ _id: String, taskIds: [String], createdAt: Date, relayAfter: Date }, { versionKey: false, collection: 'outbox' });

/** A request about a task (cancel), one per kind: `<taskId>:<kind>` decides a race of 30 identical requests. */
export interface TaskRequestRecord {
  _id: string;
  taskId: string;
  kind: string;
  by: string;
  at: Date;
}
const requestSchema = new Schema<TaskRequestRecord>(
  { _id: String, taskId: String, kind: String, by: String, at: Date },
  { versionKey: false, collection: 'task_requests' },
);

/** A lease or a once-only occurrence (a sweep round, a schedule tick): the unique `_id` decides who acts. */
export interface LeaseRecord {
  _id: string;
  holder: string;
  at: Date;
}
const leaseSchema = new Schema<LeaseRecord>({ _id: String, holder: String, at: Date }, { versionKey: false, collection: 'leases' });

/** The task list's marks (list-keys.ts): which time buckets of which list hold tasks. Read by `p` only. */
/** A node of a tree of marks (list-keys.ts); schedules' histories use the same shape in a collection of their own. */
export const listMarkSchema = new Schema<ListMarkRecord>({ _id: String, p: String, n: Number, cut: Boolean, since: Boolean }, { versionKey: false, collection: 'list_marks' });
listMarkSchema.index({ p: 1 });
/**
 * A task's callback delivery, `_id` = task id: its state and every attempt. Its own small collection, read
 * by `_id` only, written only by the delivery of that task in hand (one message per delivery at a time).
 */
export interface CallbackDeliveryRecord {
  _id: string;
  /** The URL's origin (never its path or query, which may carry tokens). */
  origin: string;
  state: CallbackState;
  attempts: CallbackAttempt[];
  createdAt: Date;
  /** The queuing whose delivery this is (CallbackMessage.claim): inserted by its first attempt, so a callback queued again is not sent again. */
  claim?: string;
}
const callbackDeliverySchema = new Schema<CallbackDeliveryRecord>(
  { _id: String, origin: String, state: String, claim: String, attempts: [{ _id: false, at: String, status: Number, error: String }], createdAt: Date },
  { versionKey: false, collection: 'callback_deliveries' },
);

export interface TaskModels {
  Task: Model<TaskRecord>;
  /** Tasks' ends (task-outcome.ts). */
  Outcome: Model<TaskOutcomeRecord>;
  Slot: Model<SlotRecord>;
  Outbox: Model<OutboxRecord>;
  TaskRequest: Model<TaskRequestRecord>;
  Lease: Model<LeaseRecord>;
  ListMark: Model<ListMarkRecord>;
  CallbackDelivery: Model<CallbackDeliveryRecord>;
}

export function taskModels(conn: Connection): TaskModels {
  const Task = conn.models.Task ?? conn.model<TaskRecord>('Task', taskSchema);
  return {
    Task,
    Outcome: outcomeModelOf(Task),
    Slot: conn.models.Slot ?? conn.model<SlotRecord>('Slot', slotSchema),
    Outbox: conn.models.Outbox ?? conn.model<OutboxRecord>('Outbox', outboxSchema),
    TaskRequest: conn.models.TaskRequest ?? conn.model<TaskRequestRecord>('TaskRequest', requestSchema),
    Lease: conn.models.Lease ?? conn.model<LeaseRecord>('Lease', leaseSchema),
    ListMark: conn.models.ListMark ?? conn.model<ListMarkRecord>('ListMark', listMarkSchema),
    CallbackDelivery: conn.models.CallbackDelivery ?? conn.model<CallbackDeliveryRecord>('CallbackDelivery', callbackDeliverySchema),
  };
}

/** Indexes earlier versions declared on tasks (time and status keys no query uses any more): dropped at start. */
const RETIRED_TASK_INDEXES = ['owner_1_createdAt_-1__id_-1', 'createdAt_-1__id_-1', 'status_1_heartbeatAt_1', 'status_1_expiresAt_1'];

/** Creates the indexes (autoIndex is off: services call this once at start) and drops retired ones. */
export async function ensureTaskIndexes(models: TaskModels): Promise<void> {
  const existing = new Set((await models.Task.collection.indexes().catch(() => [])).map((i) => i.name));
  for (const name of RETIRED_TASK_INDEXES.filter((n) => existing.has(n))) await models.Task.collection.dropIndex(name).catch(() => undefined);
  await models.Task.createIndexes();
  await models.Outcome.createIndexes();
  await models.ListMark.createIndexes();
  await markHeadsSince(models.ListMark);
}

export const isDuplicateKey = (err: unknown): boolean =>
  typeof err === 'object' && err !== null && (err as { code?: number }).code === 11000;

/**
 * Inserts a document whose unique `_id` decides a race: true for exactly one of any number of racing
 * callers, false (not an error) for the others.
 */
export async function insertUnique<T>(model: Model<T>, doc: { _id: string } & Record<string, unknown>): Promise<boolean> {
  try {
    await model.collection.insertOne(doc as never);
    return true;
  } catch (err) {
    if (isDuplicateKey(err)) return false;
    throw err;
  }
}
