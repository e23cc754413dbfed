import mongoose, { type Connection } from 'mongoose';
import { isTerminal, type TaskStatus } from '@taskyard/contracts';
import { testServers, type TestServers } from '@taskyard/testing';
import { ListMarks, TaskList, ensureTaskIndexes, failedKey, listKeys, outcomeDocument, taskModels, type ListFilter, type ListPosition, type TaskModels, type TaskOutcomeRecord, type TaskRecord } from '../src';

export interface FixtureTask {
  _id: string;
  owner: string;
  type: string;
  status: TaskStatus;
  tag?: string;
  createdAt: Date;
  parentId?: string;
  idempotencyScope?: string;
}

const STATUSES: TaskStatus[] = ['succeeded', 'succeeded', 'failed', 'cancelled', 'queued', 'running'];

/** `count` tasks of 3 owners and 2 types, spread back from `newest` by `stepMs` each, some tagged. */
export function fixtureTasks(count: number, newest: number, stepMs: number, prefix = 'task'): FixtureTask[] {
  return Array.from({ length: count }, (_, i) => ({
    _id: `${prefix}-${String(i).padStart(6, '0')}`,
    owner: `owner-${i % 3}`,
    type: i % 4 === 0 ? 'report' : 'import',
    status: STATUSES[i % STATUSES.length],
    ...(i % 5 === 0 ? { tag: `tag|${i % 2}` } : {}),
    // Several tasks share a millisecond now and then, so the order's tie-break on `_id` is exercised.
    createdAt: new Date(newest - Math.floor(i / 2) * stepMs),
    ...(i % 50 === 1 ? { parentId: `${prefix}-${String(i - 1).padStart(6, '0')}` } : {}),
    ...(i % 7 === 0 ? { idempotencyScope: `owner-${i % 3}:${prefix}-${i}` } : {}),
  }));
}

/** What sorting the whole history gives: a fan-out's children are in no list (they show under their parent). */
export function listedOrder(tasks: FixtureTask[], f: ListFilter): string[] {
  return tasks
    .filter((t) => !t.parentId)
    .filter((t) => (f.owner === undefined || t.owner === f.owner) && (f.type === undefined || t.type === f.type))
    .filter((t) => (f.status === undefined || t.status === f.status) && (f.tag === undefined || t.tag === f.tag))
    .sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime() || (a._id < b._id ? 1 : -1))
    .map((t) => t._id);
}

/** Every page of a list, `limit` a page, and how many pages it took. */
export async function everyPage(list: TaskList, f: ListFilter, limit: number): Promise<{ ids: string[]; pages: number }> {
  const ids: string[] = [];
  let after: ListPosition | undefined;
  for (let pages = 1; ; pages++) {
    const page = await list.page<FixtureTask>({ ...f, limit, after });
    ids.push(...page.items.map((t) => t._id));
    if (!page.more) return { ids, pages };
    const last = page.items[page.items.length - 1];
    after = { createdAt: new Date(last.createdAt), id: last._id };
  }
}

/**
 * Stores tasks as the gateway does: their list marks first, then the tasks with their keys, in batches.
 * Without their lists' heads (list-heads.ts) unless `heads`: a fixture's history is older than the
 * database's heads, which would not be read (and their pruning would only load the database).
 */
/** How the fixture stores a finished task: as one document, or as the status service now does (`outcomes`: the task as it ran, its end apart). */
export interface StoreOptions {
  heads?: boolean;
  ends?: 'in-task' | 'outcomes';
}

/** A finished task as its document stood while it ran, and its end as the status service stores it (task-outcome.ts). */
export function asRunAndOutcome(t: FixtureTask): { ran: FixtureTask; outcome: TaskOutcomeRecord } {
  const ran = { ...t, status: 'running' as const };
  const failed = t.status === 'failed' ? { failedKey: failedKey(t.type, t.createdAt) } : {};
  return { ran, outcome: outcomeDocument(ran, { $set: { status: t.status, lk: listKeys(t), finishedAt: t.createdAt, ...failed } }) };
}

const isEnded = (t: FixtureTask): boolean => isTerminal(t.status);

export async function storeTasks(models: TaskModels, tasks: FixtureTask[], opts: StoreOptions = {}): Promise<void> {
  const marks = new ListMarks(models.ListMark);
  const split = opts.ends === 'outcomes' ? tasks.filter(isEnded).map(asRunAndOutcome) : [];
  // The lists the ended tasks ran in have their marks too, as a running task's entry left them.
  await marks.ensureAll([...tasks, ...split.map((x) => x.ran)], { heads: opts.heads ?? false });
  // Its writer's background head prunes done before any test prunes or reads: two prunes of different lists pull
  // their heads from the same second's marks, two writers of one document (FerretDB loses one of the updates).
  await marks.headsPruned();
  const ran = new Map(split.map((x) => [x.ran._id, x.ran]));
  const stored = tasks.map((t) => ran.get(t._id) ?? t);
  for (let i = 0; i < stored.length; i += 500) {
    const docs: Partial<TaskRecord>[] = stored.slice(i, i + 500).map((t) => ({ ...t, title: t._id, params: {}, progress: 0, attempt: 0, maxAttempts: 1, artifacts: [], logs: [], queuedAt: t.createdAt, lk: listKeys(t) }));
    await models.Task.collection.insertMany(docs as never[]);
  }
  for (let i = 0; i < split.length; i += 32) await models.Outcome.collection.insertMany(split.slice(i, i + 32).map((x) => x.outcome) as never[]);
}

/** A test file's database holding `tasks` as the gateway stores them, and a list reader on it; set up and dropped by the file's hooks. */
export interface ListDatabase {
  models: TaskModels;
  list: TaskList;
}

export function listDatabase(name: string, tasks: FixtureTask[], opts: StoreOptions = {}): ListDatabase {
  const db = {} as ListDatabase;
  let servers: TestServers | undefined;
  let conn: Connection | undefined;
  beforeAll(async () => {
    servers = await testServers(name);
    conn = await mongoose.createConnection(servers.mongoUrl, { serverSelectionTimeoutMS: 10_000 }).asPromise();
    db.models = taskModels(conn);
    await ensureTaskIndexes(db.models);
    await storeTasks(db.models, tasks, opts);
    db.list = new TaskList(db.models.Task, db.models.ListMark, 10_000);
  });
  afterAll(async () => {
    await conn?.close();
    await servers?.cleanup();
  });
  return db;
}
