import { randomUUID } from 'node:crypto';
import { ALL_JOB_TYPES, type TaskStatus } from '@taskyard/contracts';
import { ListMarks, failedKey, isTreeScope, listKeys, listScopes, newTaskRecord, outcomeDocument, slotId, type NewTask, type TaskModels, type TaskOutcomeRecord, type TaskRecord } from '@taskyard/tasks';
import { rate, type Rate } from '../lib/rate';

/** The owners of the stored history: the stack's two user keys' principals and three more. */
export const FILL_OWNERS = ['teacher-1', 'teacher-2', 'teacher-3', 'teacher-4', 'teacher-5'];
export const FILL_TAG = 'term-1';
const TYPES = ALL_JOB_TYPES.filter((d) => ['diagnostic', 'spelling-report', 'cloud-import'].includes(d.type));
/**
 * The current working set every stage holds on top of its history (0 included): the last 20 minutes of a
 * busy school, a task a second of the history's mix, so every list the benchmark reads (each owner, type,
 * status, the tag) has a few pages of recent tasks at every size. The empty database's row then measures a
 * real first page, and the other rows what the history adds to it.
 */
export const WORKING_SET = 1200;
const WORKING_SET_STEP_MS = 1000;

/** FerretDB rewards insertMany, and hangs on write commands of about 64 statements (SPEC): 32 a batch. */
const BATCH = 32;

export interface FillPlan {
  /** Index of the first task to store: task k was created `k * stepMs` before `newestMs`. */
  from: number;
  count: number;
  newestMs: number;
  stepMs: number;
  /**
   * Write the lists' heads (list-heads.ts) as the gateway does. A history stored in bulk (the working set
   * too: 20 minutes stored at once) has none: its newest seconds' heads are rebuilt by rebuildListHeads (see
   * historyScopes), or every one of its seconds would enter a head only to be pruned out of it.
   */
  heads: boolean;
}

/** Which of the history the probes read: some stored ids, and the position at the history's middle. */
export interface FillSample {
  ids: string[];
  middle?: { createdAt: Date; id: string };
}

/** What a job's end writes (its outcome's fields). */
const END_FIELDS = ['status', 'progress', 'attempt', 'startedAt', 'finishedAt', 'durationMs', 'expiresAt', 'logs', 'result', 'error', 'failedKey', 'lk'] as const;

const finalStatus = (k: number): TaskStatus => (k % 20 === 0 ? 'failed' : k % 20 === 1 ? 'cancelled' : 'succeeded');

/**
 * Task k of the history as the gateway stored it, then as the status service left it (finished): `done` as
 * readers see it, stored as the status service stores a fast job's end, the task as inserted and its end as
 * an outcome (task-outcome.ts).
 */
function historyTask(k: number, plan: FillPlan): { queued: NewTask; done: TaskRecord; outcome: TaskOutcomeRecord } {
  const def = TYPES[k % TYPES.length];
  const owner = FILL_OWNERS[k % FILL_OWNERS.length];
  const createdAt = new Date(plan.newestMs - k * plan.stepMs);
  const queued = newTaskRecord(
    { id: randomUUID(), def, owner, params: { n: k }, ...(k % 5 === 0 ? { tag: FILL_TAG } : {}), slotId: slotId(owner, def.type, 0) },
    createdAt,
  );
  const status = finalStatus(k);
  const startedAt = new Date(createdAt.getTime() + 40);
  const finishedAt = new Date(startedAt.getTime() + 900);
  const done: TaskRecord = {
    ...queued,
    status,
    progress: status === 'succeeded' ? 100 : 0,
    attempt: 1,
    startedAt,
    finishedAt,
    durationMs: 900,
    expiresAt: new Date(finishedAt.getTime() + 7 * 86_400_000),
    logs: [
      { at: startedAt.toISOString(), level: 'info', message: 'started' },
      { at: finishedAt.toISOString(), level: status === 'failed' ? 'error' : 'info', message: status },
    ],
    ...(status === 'succeeded' ? { result: { ok: true } } : {}),
    ...(status === 'failed' ? { error: { code: 'job-failed', message: 'the job failed' }, failedKey: failedKey(def.type, finishedAt) } : {}),
    lk: listKeys({ ...queued, status }),
  };
  const end = Object.fromEntries(END_FIELDS.flatMap((f) => (done[f] === undefined ? [] : [[f, done[f]]])));
  return { queued, done, outcome: outcomeDocument(queued, { $set: end }) };
}

/**
 * Stores finished tasks straight into the database as the code would have left them: the list marks the
 * gateway writes at submit and the status service at the final status change (those of the open lists,
 * queued and running, are pruned minutes after a task leaves them), then the tasks with their final list
 * keys, by insertMany of 32 in `lanes` parallel lanes.
 */
export async function fillHistory(models: TaskModels, plan: FillPlan, lanes = 6, onProgress?: (done: number) => void): Promise<{ rate: Rate; sample: FillSample }> {
  const marks = new ListMarks(models.ListMark, 60_000);
  const sample: FillSample = { ids: [] };
  const middleK = Math.floor((plan.from + plan.count) / 2);
  const started = performance.now();
  let next = plan.from;
  let stored = 0;
  const end = plan.from + plan.count;
  await Promise.all(
    Array.from({ length: lanes }, async () => {
      while (next < end) {
        const first = next;
        next = Math.min(next + BATCH, end);
        const batch = Array.from({ length: next - first }, (_, i) => historyTask(first + i, plan));
        // What stays of the marks once the open lists' (queued, running) are pruned: a task submitted with its
        // final status has exactly its lists' marks and its final status's.
        await marks.ensureAll(batch.map((t) => t.done), { heads: plan.heads });
        await Promise.all([
          models.Task.collection.insertMany(batch.map((t) => t.queued) as never[], { ordered: false }),
          models.Outcome.collection.insertMany(batch.map((t) => t.outcome) as never[], { ordered: false }),
        ]);
        for (const [i, t] of batch.entries()) {
          if ((first + i) % 997 === 0) sample.ids.push(t.done._id);
          if (first + i === middleK) sample.middle = { createdAt: t.done.createdAt, id: t.done._id };
        }
        stored += batch.length;
        if (stored % 20_000 < BATCH) onProgress?.(stored);
      }
    }),
  );
  return { rate: rate(plan.count, started), sample };
}

/** Stores the working set (see WORKING_SET), newest a minute ago: newer than any stored history. */
export function storeWorkingSet(models: TaskModels): Promise<{ rate: Rate; sample: FillSample }> {
  return fillHistory(models, { from: 0, count: WORKING_SET, newestMs: Date.now() - 60_000, stepMs: WORKING_SET_STEP_MS, heads: false }, 2);
}

/** Every list (tree scope) the history's and the working set's tasks are in: their mix repeats every 60 tasks. */
export function historyScopes(): string[] {
  const plan: FillPlan = { from: 0, count: 60, newestMs: Date.now(), stepMs: 1000, heads: false };
  return [...new Set(Array.from({ length: 60 }, (_, k) => listScopes(historyTask(k, plan).done)).flat())].filter(isTreeScope);
}
