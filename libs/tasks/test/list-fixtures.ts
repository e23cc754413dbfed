import mongoose, { type Connection } from 'mongoose';
import type { TaskStatus } from '@taskyard/contracts';
import { testServers, type TestServers } from '@taskyard/testing';
import { ListMarks, TaskList, ensureTaskIndexes, listKeys, taskModels, type TaskModels, type TaskRecord } from '../src';

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

/** Stores tasks as the gateway does: their list marks first, then the tasks with their keys, in batches. */
export async function storeTasks(models: TaskModels, tasks: FixtureTask[]): Promise<void> {
  await new ListMarks(models.ListMark).ensureAll(tasks);
  for (let i = 0; i < tasks.length; i += 500) {
    const docs: Partial<TaskRecord>[] = tasks.slice(i, i + 500).map((t) => ({ ...t, title: t._id, params: {}, progress: 0, attempt: 0, maxAttempts: 1, artifacts: [], logs: [], queuedAt: t.createdAt, lk: listKeys(t) }));
    await models.Task.collection.insertMany(docs as never[]);
  }
}

/** A test file's database holding `tasks` as the gateway stores them, and a list reader on it; set up and dropped by the file's hooks. */
export interface ListDatabase {
  models: TaskModels;
  list: TaskList;
}

export function listDatabase(name: string, tasks: FixtureTask[]): ListDatabase {
  const db = {} as ListDatabase;
  let servers: TestServers | undefined;
  let conn: Connection | undefined;
  beforeAll(async () => {
    servers = await testServers(name);
    conn = await mongoose.createConnection(servers.mongoUrl, { serverSelectionTimeoutMS: 10_000 }).asPromise();
    db.models = taskModels(conn);
    await ensureTaskIndexes(db.models);
    await storeTasks(db.models, tasks);
    db.list = new TaskList(db.models.Task, db.models.ListMark, 10_000);
  });
  afterAll(async () => {
    await conn?.close();
    await servers?.cleanup();
  });
  return db;
}
