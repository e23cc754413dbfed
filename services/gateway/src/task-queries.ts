import type { Model } from 'mongoose';
import type { CallbackView } from '@taskyard/contracts';
import { TaskList, readTask, tasksWithEnds, type CallbackDeliveryRecord, type ListMarkRecord, type TaskRecord } from '@taskyard/tasks';
import type { Principal } from './api-keys';
import { InvalidRequest, TaskNotFound } from './errors';
import { listTag, maySeeTag } from './tag-access';
import { VIEW_PROJECTION, type ViewRecord } from './task-view';

export interface ListFilters {
  type?: string;
  status?: string;
  tag?: string;
  /** Admins only: one owner's tasks. */
  owner?: string;
  limit: number;
  cursor?: string;
}

interface CursorPosition {
  createdAt: Date;
  id: string;
}

/** Longer than any task id (a child's is a UUID and `.<n>`). */
const MAX_CURSOR_ID = 128;

/** The cursor is opaque to clients: the last item's (createdAt, id), the list's sort key. */
export function encodeCursor(task: Pick<TaskRecord, '_id' | 'createdAt'>): string {
  return Buffer.from(JSON.stringify([new Date(task.createdAt).getTime(), task._id])).toString('base64url');
}

export function decodeCursor(cursor: string): CursorPosition {
  try {
    const [ms, id] = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as [unknown, unknown];
    // What encodeCursor writes: a real date (the database refuses an invalid one) and a task id.
    const createdAt = new Date(typeof ms === 'number' ? ms : Number.NaN);
    if (Number.isNaN(createdAt.getTime()) || typeof id !== 'string' || id.length > MAX_CURSOR_ID || id.includes('\u0000')) throw new Error('shape');
    return { createdAt, id };
  } catch {
    throw new InvalidRequest('cursor is not one this API gave out');
  }
}

export interface ChildPage {
  limit: number;
  cursor?: string;
}

/** The most children one parent has: api-harvest's 1,000 pages (assessment-report fans out at most 200 batches). */
export const MAX_CHILDREN = 1000;

/** A child's number within its parent, from its id `<parentId>.<n>` (see libs/worker's fan-out). */
const childNumber = (t: ViewRecord): number => Number(t._id.slice(t._id.lastIndexOf('.') + 1)) || 0;
const byChildOrder = (a: ViewRecord, b: ViewRecord): number =>
  childNumber(a) - childNumber(b) || new Date(a.createdAt).getTime() - new Date(b.createdAt).getTime() || a._id.localeCompare(b._id);

const encodeOffset = (offset: number): string => Buffer.from(JSON.stringify({ offset })).toString('base64url');
function decodeOffset(cursor: string): number {
  try {
    const { offset } = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as { offset?: unknown };
    if (typeof offset !== 'number' || !Number.isInteger(offset) || offset < 0) throw new Error('shape');
    return offset;
  } catch {
    throw new InvalidRequest('cursor is not one this API gave out');
  }
}

/** Reads of tasks as a principal may see them: users their own, admins all; a key limited to tags, those tags'. */
export class TaskQueries {
  private readonly lists: TaskList;

  constructor(
    private readonly Task: Model<TaskRecord>,
    ListMark: Model<ListMarkRecord>,
    private readonly timeoutMs: number,
    private readonly CallbackDelivery: Model<CallbackDeliveryRecord>,
  ) {
    this.lists = new TaskList(Task, ListMark, timeoutMs);
  }

  /**
   * A task read by its `_id` alone (the one equality its index serves; adding `owner` to the filter would
   * let the planner intersect with the owner's whole history), then checked against the caller. Another
   * owner's task is "not found", never "forbidden": its existence is not the caller's business.
   */
  private async byId<T extends Pick<TaskRecord, 'owner' | 'tag'>>(who: Principal, id: string, projection: Record<string, 0 | 1>): Promise<T> {
    const task = await readTask<T & { _id: string }>(this.Task, id, projection, this.timeoutMs);
    if (!task || (who.role !== 'admin' && task.owner !== who.principal) || !maySeeTag(who, task.tag)) throw new TaskNotFound(id);
    return task;
  }

  view(who: Principal, id: string): Promise<ViewRecord> {
    return this.byId<ViewRecord>(who, id, VIEW_PROJECTION);
  }

  /** The full record, for the state an SSE stream folds events into. */
  full(who: Principal, id: string): Promise<TaskRecord> {
    return this.byId<TaskRecord>(who, id, {});
  }

  /** A task's callback delivery (read by `_id` from its own collection); pending until its first attempt. */
  async callback(id: string): Promise<CallbackView> {
    const d = await this.CallbackDelivery.findOne({ _id: id }, { state: 1, attempts: 1 }).maxTimeMS(this.timeoutMs).lean<CallbackDeliveryRecord>().exec();
    return d ? { state: d.state, attempts: (d.attempts ?? []).map((a) => ({ at: a.at, ...(a.status ? { status: a.status } : {}), ...(a.error ? { error: a.error } : {}) })) } : { state: 'pending', attempts: [] };
  }

  async logs(who: Principal, id: string): Promise<TaskRecord['logs']> {
    const task = await this.byId<Pick<TaskRecord, 'logs' | 'owner' | 'tag'>>(who, id, { logs: 1, owner: 1, tag: 1 });
    return task.logs ?? [];
  }

  /**
   * A parent's children, in the order they were made, a page at a time: read by equality on `parentId` alone
   * (its index), once the caller may see the parent (its children are the parent owner's, with its tag).
   * Their number is bounded by the fan-out (MAX_CHILDREN), so one read of them all, sorted here.
   */
  async children(who: Principal, parentId: string, page: ChildPage): Promise<{ items: ViewRecord[]; nextCursor?: string }> {
    await this.view(who, parentId);
    const rows = await tasksWithEnds<ViewRecord>(this.Task, { parentId }, VIEW_PROJECTION, this.timeoutMs, MAX_CHILDREN);
    const from = page.cursor ? decodeOffset(page.cursor) : 0;
    const items = rows.sort(byChildOrder).slice(from, from + page.limit);
    return from + page.limit < rows.length ? { items, nextCursor: encodeOffset(from + page.limit) } : { items };
  }

  /**
   * Newest first, read by equality through the list keys (never a sort of the owner's history). Top-level
   * tasks only: a fan-out's children have no list keys (see `children`).
   */
  async list(who: Principal, f: ListFilters): Promise<{ items: ViewRecord[]; nextCursor?: string }> {
    const after = f.cursor ? decodeCursor(f.cursor) : undefined;
    const owner = who.role === 'admin' ? f.owner : who.principal;
    const tag = listTag(who, f.tag);
    const { items, more } = await this.lists.page<ViewRecord>({ owner, type: f.type, status: f.status, tag, limit: f.limit, after, projection: VIEW_PROJECTION });
    return more ? { items, nextCursor: encodeCursor(items[items.length - 1]) } : { items };
  }
}
