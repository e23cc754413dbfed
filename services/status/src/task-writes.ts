import type { Model } from 'mongoose';
import type { TaskEvent } from '@taskyard/contracts';
import { listKeys, readOutcome, withOutcome, type ListMarks, type TaskModels, type TaskOutcomeRecord, type TaskRecord, type TaskState } from '@taskyard/tasks';
import { FOLD_WRITE_FIELD, FoldWriteBatcher } from './fold-write-batcher';
import { endByOutcome, outcomeOf } from './outcome-writes';
import type { StatusMetrics } from './status-metrics';

/** The deadline of each of a fold's reads and writes of a task and its outcome (a batch that misses it is folded again). */
const FOLD_DB_DEADLINE_MS = 15_000;

/**
 * One `$set`/`$unset` for a fold's changes: undefined fields are removed from the task. Given the stored task
 * (`stored`: read, presumed as inserted or remembered as written, with every field FOLD_FIELDS reads), a change
 * it already holds is left out (an empty list kept empty, a field removed that it does not have, the same
 * value carried over): a smaller update to build, send and apply.
 */
export function updateFor(changes: Partial<TaskState> & Pick<TaskRecord, 'lk' | 'workflow'>, stored?: FoldTask): { $set?: Record<string, unknown>; $unset?: Record<string, ''> } {
  let $set: Record<string, unknown> | undefined;
  let $unset: Record<string, ''> | undefined;
  const before = stored as Record<string, unknown> | undefined;
  for (const k in changes) {
    if (k === '_id') continue;
    const v = (changes as Record<string, unknown>)[k];
    if (before && k in FOLD_FIELDS && holds(before[k], v)) continue;
    if (v === undefined) ($unset ??= {})[k] = '';
    else ($set ??= {})[k] = v;
  }
  return { ...($set ? { $set } : {}), ...($unset ? { $unset } : {}) };
}

/** Whether a stored field already has the value a change gives it (the same value, or both empty lists). */
function holds(stored: unknown, value: unknown): boolean {
  if (stored === value) return true;
  return Array.isArray(stored) && Array.isArray(value) && stored.length === 0 && value.length === 0;
}

export const FOLD_FIELDS = {
  _id: 1, type: 1, status: 1, progress: 1, attempt: 1, maxAttempts: 1, artifacts: 1, error: 1, logs: 1, parentId: 1, slotId: 1,
  startedAt: 1, finishedAt: 1, expiresAt: 1, durationMs: 1, runId: 1, lastSeq: 1, heartbeatAt: 1, cancelRequestedAt: 1,
  retryAt: 1, result: 1, attempts: 1, queuedAt: 1, callbackUrl: 1, owner: 1, title: 1, tag: 1, createdAt: 1, 'params.uploadKey': 1, stage: 1, workflow: 1,
  [FOLD_WRITE_FIELD]: 1,
} as const;

export type FoldTask = TaskState &
  Pick<TaskRecord, 'type' | 'callbackUrl' | 'owner' | 'title' | 'tag' | 'createdAt' | 'stage' | 'workflow'> & {
    params?: { uploadKey?: unknown };
    /** The id of the fold write that stored this state (none before the first: a task as inserted). */
    foldWrite?: string;
    /** The task's end as stored (outcome-writes.ts), merged into the fields above; none while it runs. */
    outcome?: TaskOutcomeRecord;
  };

/**
 * Reads the tasks of a batch, one lookup by `_id` each, side by side: FerretDB pushes an `_id` equality
 * down to PostgreSQL's index but scans the whole collection for `$in`.
 */
export async function readTasks(models: Pick<TaskModels, 'Task' | 'Outcome'>, ids: string[]): Promise<Map<string, FoldTask>> {
  const docs = await Promise.all(ids.map((id) => readFoldTask(models, id)));
  return new Map(docs.filter((d): d is FoldTask => d !== null).map((d) => [d._id, d]));
}

/** A task and its outcome, each by `_id`, side by side, merged (the outcome kept beside, for a later change of the end). */
async function readFoldTask(models: Pick<TaskModels, 'Task' | 'Outcome'>, id: string): Promise<FoldTask | null> {
  // The driver's own findOne: on this hot path mongoose's query building costs more CPU than the read.
  const [task, outcome] = await Promise.all([
    models.Task.collection.findOne({ _id: id } as never, { projection: FOLD_FIELDS, maxTimeMS: FOLD_DB_DEADLINE_MS }) as Promise<FoldTask | null>,
    readOutcome(models.Outcome, id, FOLD_DB_DEADLINE_MS),
  ]);
  if (!task || !outcome) return task;
  return { ...withOutcome(task, outcome, FOLD_FIELDS), outcome };
}

const batchers = new WeakMap<Model<TaskRecord>, FoldWriteBatcher>();

/** One batcher per tasks model (per database connection): the folds of a turn share its commands. */
function foldWrites(Task: Model<TaskRecord>): FoldWriteBatcher {
  let b = batchers.get(Task);
  if (!b) {
    b = new FoldWriteBatcher(
      () => ({
        command: (cmd) => Task.db.db!.command(cmd),
        collectionName: Task.collection.collectionName,
        findOne: (filter, opts) => Task.collection.findOne(filter as never, opts),
      }),
      { maxTimeMS: FOLD_DB_DEADLINE_MS },
    );
    batchers.set(Task, b);
  }
  return b;
}

export interface WriteDeps {
  models: TaskModels;
  marks: ListMarks;
  metrics: StatusMetrics;
}

/** What a conditional fold write expects of the stored task: as inserted, or as this process last wrote it. */
export type WriteExpectation = typeof AS_INSERTED | { [FOLD_WRITE_FIELD]: string };

/**
 * Writes a fold's changes in one update; a new status moves the task between status lists: their marks
 * first, then its keys with the same write. A task's end is stored as its outcome instead (outcome-writes.ts:
 * a unique insert). With `expect`, the write happens only if the stored task still has those fields (a fold
 * of a presumed or remembered task). Answers the write's id (the task's new `foldWrite`), false when the
 * stored task was not as expected or its end was already stored, undefined when no task matched.
 */
export async function writeFold(
  deps: WriteDeps,
  task: FoldTask,
  changes: Partial<TaskState> & Pick<TaskRecord, 'workflow'>,
  expect?: WriteExpectation,
): Promise<string | false | undefined> {
  const byOutcome = endByOutcome(task, changes);
  // A task presumed as inserted may have ended since without its document saying so (its end is an outcome:
  // a cancel while it was queued): a write of its document that is not its end first makes sure it has none.
  // Only a run's start folded alone comes here (a fast job's start rides on its end, which the insert decides).
  if (expect === AS_INSERTED && !byOutcome && (await readOutcome(deps.models.Outcome, task._id, FOLD_DB_DEADLINE_MS))) return false;
  const listed =
    changes.status === undefined ? undefined : { owner: task.owner, type: task.type, tag: task.tag, status: changes.status, createdAt: task.createdAt, parentId: task.parentId };
  if (listed) await deps.marks.ensureForStatus(listed);
  const update = updateFor({ ...changes, ...(listed ? { lk: listKeys(listed) } : {}) }, task);
  // The fold's fields are already the stored types, so the driver writes them without mongoose's casting.
  if (byOutcome && !task.outcome && expect && FOLD_WRITE_FIELD in expect && !(await stillAsWritten(deps.models.Task, task._id, expect[FOLD_WRITE_FIELD]))) return false;
  const written = byOutcome ? await outcomeOf(deps.models, task, update) : await foldWrites(deps.models.Task).write({ filter: { _id: task._id, ...expect }, update });
  // An end found already stored was not this fold's to write, whatever the fold read or presumed.
  if ((expect || byOutcome) && !written) return false;
  deps.metrics.writes.inc();
  if (listed) await deps.marks.reassertOpen(listed);
  return written;
}

/**
 * A remembered task's end is checked against its document first (still holding this process's last write): only
 * then does the unique insert of its outcome decide it. A read by `_id`, not a claiming update: the claim (a new
 * write id) excluded no other writer (one that read the task writes it unconditionally, and FerretDB's update is
 * itself a read and a write), only this process's later writes of the task, and an ended task has none; the
 * update rewrote the whole task row and each of its index entries once more per long job (bench/peers README).
 */
async function stillAsWritten(Task: Model<TaskRecord>, id: string, foldWrite: string): Promise<boolean> {
  const stored = await Task.collection.findOne({ _id: id } as never, { projection: { [FOLD_WRITE_FIELD]: 1 }, maxTimeMS: FOLD_DB_DEADLINE_MS });
  return stored?.[FOLD_WRITE_FIELD] === foldWrite;
}

/** What a presumed task's write expects of the stored one: the state `newTaskRecord` inserts. */
export const AS_INSERTED = { status: 'queued', attempt: 0 } as const;

/**
 * The task as inserted, from the first event of a fresh first attempt's run that carries it (InsertedTask),
 * when every event of the batch is of that run and none continues it as a workflow: folded without a read,
 * written only `AS_INSERTED`.
 */
export function presumedTask(events: TaskEvent[]): FoldTask | undefined {
  const first = events[0];
  if (!('inserted' in first) || !first.inserted || first.attempt !== 1 || !first.runId) return undefined;
  if (!events.every((e) => e.runId === first.runId)) return undefined;
  // A continuation inserts the workflow's children before the task's write: only on a task read, never presumed.
  if (events.some((e) => e.kind === 'continued-as-workflow')) return undefined;
  const i = first.inserted;
  const createdAt = new Date(i.createdAt);
  if (Number.isNaN(createdAt.getTime())) return undefined;
  return {
    _id: first.taskId,
    type: first.type,
    owner: i.owner,
    title: i.title,
    ...(i.tag ? { tag: i.tag } : {}),
    createdAt,
    queuedAt: createdAt,
    ...AS_INSERTED,
    progress: 0,
    maxAttempts: i.maxAttempts,
    artifacts: [],
    logs: [],
    ...(i.parentId ? { parentId: i.parentId } : {}),
    ...(i.slotId ? { slotId: i.slotId } : {}),
    ...(i.callbackUrl ? { callbackUrl: i.callbackUrl } : {}),
    ...(i.uploadKey ? { params: { uploadKey: i.uploadKey } } : {}),
  };
}
