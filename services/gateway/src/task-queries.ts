import type { Model } from 'mongoose';
import { TaskList, type ListMarkRecord, type TaskRecord } from '@taskyard/tasks';
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

/** The cursor is opaque to clients: the last item's (createdAt, id), the list's sort key. */
export function encodeCursor(task: Pick<TaskRecord, '_id' | 'createdAt'>): string {
  return Buffer.from(JSON.stringify([new Date(task.createdAt).getTime(), task._id])).toString('base64url');
}

export function decodeCursor(cursor: string): CursorPosition {
  try {
    const [ms, id] = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as [unknown, unknown];
    if (typeof ms !== 'number' || typeof id !== 'string') throw new Error('shape');
    return { createdAt: new Date(ms), id };
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
  ) {
    this.lists = new TaskList(Task, ListMark, timeoutMs);
  }

  /**
   * A task read by its `_id` alone (the one equality its index serves; adding `owner` to the filter would
   * let the planner intersect with the owner's whole history), then checked against the caller. Another
   * owner's task is "not found", never "forbidden": its existence is not the caller's business.
   */
  private async byId<T extends Pick<TaskRecord, 'owner' | 'tag'>>(who: Principal, id: string, projection: Record<string, 0 | 1>): Promise<T> {
    const task = await this.Task.findOne({ _id: id }, projection).maxTimeMS(this.timeoutMs).lean<T>().exec();
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

  async logs(who: Principal, id: string): Promise<TaskRecord['logs']> {
    const task = await this.byId<Pick<TaskRecord, 'logs' | 'owner' | 'tag'>>(who, id, { logs: 1, owner: 1, tag: 1 });
    return task.logs ?? [];
  }

  /** Newest first, read by equality through the list keys (never a sort of the owner's history). */
  async list(who: Principal, f: ListFilters): Promise<{ items: ViewRecord[]; nextCursor?: string }> {
    const after = f.cursor ? decodeCursor(f.cursor) : undefined;
    const owner = who.role === 'admin' ? f.owner : who.principal;
    const tag = listTag(who, f.tag);
    const { items, more } = await this.lists.page<ViewRecord>({ owner, type: f.type, status: f.status, tag, limit: f.limit, after, projection: VIEW_PROJECTION });
    return more ? { items, nextCursor: encodeCursor(items[items.length - 1]) } : { items };
  }
}
