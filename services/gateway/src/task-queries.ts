import type { FilterQuery, Model } from 'mongoose';
import type { TaskRecord } from '@taskyard/tasks';
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
  constructor(
    private readonly Task: Model<TaskRecord>,
    private readonly timeoutMs: number,
  ) {}

  private visible(who: Principal, filter: FilterQuery<TaskRecord>): FilterQuery<TaskRecord> {
    return who.role === 'admin' ? filter : { ...filter, owner: who.principal };
  }

  /** Another owner's task is "not found", never "forbidden": its existence is not the caller's business. */
  async view(who: Principal, id: string): Promise<ViewRecord> {
    const task = await this.Task.findOne(this.visible(who, { _id: id }), VIEW_PROJECTION).maxTimeMS(this.timeoutMs).lean<ViewRecord>().exec();
    if (!task || !maySeeTag(who, task.tag)) throw new TaskNotFound(id);
    return task;
  }

  /** The full record, for the state an SSE stream folds events into. */
  async full(who: Principal, id: string): Promise<TaskRecord> {
    const task = await this.Task.findOne(this.visible(who, { _id: id })).maxTimeMS(this.timeoutMs).lean<TaskRecord>().exec();
    if (!task || !maySeeTag(who, task.tag)) throw new TaskNotFound(id);
    return task;
  }

  async logs(who: Principal, id: string): Promise<TaskRecord['logs']> {
    const task = await this.Task.findOne(this.visible(who, { _id: id }), { logs: 1, tag: 1 }).maxTimeMS(this.timeoutMs).lean<Pick<TaskRecord, 'logs' | 'tag'>>().exec();
    if (!task || !maySeeTag(who, task.tag)) throw new TaskNotFound(id);
    return task.logs ?? [];
  }

  async list(who: Principal, f: ListFilters): Promise<{ items: ViewRecord[]; nextCursor?: string }> {
    const filter: FilterQuery<TaskRecord> = {};
    if (f.type) filter.type = f.type;
    if (f.status) filter.status = f.status;
    const tag = listTag(who, f.tag);
    if (tag) filter.tag = tag;
    if (f.owner && who.role === 'admin') filter.owner = f.owner;
    if (f.cursor) {
      const at = decodeCursor(f.cursor);
      filter.$or = [{ createdAt: { $lt: at.createdAt } }, { createdAt: at.createdAt, _id: { $lt: at.id } }];
    }
    const rows = await this.Task.find(this.visible(who, filter), VIEW_PROJECTION)
      .sort({ createdAt: -1, _id: -1 })
      .limit(f.limit + 1)
      .maxTimeMS(this.timeoutMs)
      .lean<ViewRecord[]>()
      .exec();
    const items = rows.slice(0, f.limit);
    return rows.length > f.limit ? { items, nextCursor: encodeCursor(items[items.length - 1]) } : { items };
  }
}
