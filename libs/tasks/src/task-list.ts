import type { Model } from 'mongoose';
import { LEVEL_SECONDS, TOP_LEVEL, nodeId, pickScope, rootId, secondOf, type ListFilter, type ListMarkRecord } from './list-keys';
import type { TaskRecord } from './task-record';

/** Where a page starts: strictly after this task in the list's order (newest first, then `_id` descending). */
export interface ListPosition {
  createdAt: Date;
  id: string;
}

export interface ListPageQuery extends ListFilter {
  limit: number;
  after?: ListPosition;
  /** Fields to read of each task (a find projection). */
  projection?: Record<string, 0 | 1>;
}

type Listed = Pick<TaskRecord, '_id' | 'createdAt' | 'type' | 'status' | 'tag'>;

/** The most buckets (or nodes' children) read side by side while filling a page. */
const MAX_WINDOW = 16;

const newestFirst = (a: Listed, b: Listed): number =>
  new Date(b.createdAt).getTime() - new Date(a.createdAt).getTime() || (a._id < b._id ? 1 : a._id > b._id ? -1 : 0);

function isBefore(t: Listed, at: ListPosition): boolean {
  const ms = new Date(t.createdAt).getTime();
  const atMs = at.createdAt.getTime();
  return ms < atMs || (ms === atMs && t._id < at.id);
}

/**
 * Reads a list page by equality only (list-keys.ts): the marks of the nodes on the way down, then whole
 * one-second buckets newest first, until the page and one more task are found. Never a sort, a range or
 * an `$in` on the tasks, so the cost follows the page, not the history.
 */
export class TaskList {
  constructor(
    private readonly Task: Model<TaskRecord>,
    private readonly ListMark: Model<ListMarkRecord>,
    private readonly timeoutMs: number,
  ) {}

  /** The page, and whether more tasks follow it. */
  async page<T extends Listed>(q: ListPageQuery): Promise<{ items: T[]; more: boolean }> {
    const { scope, open, residual } = pickScope(q);
    const keep = (t: T): boolean =>
      (residual.type === undefined || t.type === residual.type) &&
      (residual.status === undefined || t.status === residual.status) &&
      (residual.tag === undefined || t.tag === residual.tag) &&
      (!q.after || isBefore(t, q.after));
    const upper = q.after ? secondOf(q.after.createdAt) : Number.MAX_SAFE_INTEGER;
    const found: T[] = [];
    let width = 1;
    for await (const seconds of open ? this.openSeconds(scope, upper) : this.bucketsDesc(scope, upper)) {
      for (let i = 0; i < seconds.length && found.length <= q.limit; i += width, width = Math.min(width * 2, MAX_WINDOW)) {
        const buckets = await Promise.all(seconds.slice(i, i + width).map((s) => this.bucket<T>(scope, s, q.projection)));
        for (const rows of buckets) found.push(...rows.filter(keep).sort(newestFirst));
      }
      if (found.length > q.limit) break;
    }
    return { items: found.slice(0, q.limit), more: found.length > q.limit };
  }

  private bucket<T>(scope: string, second: number, projection?: Record<string, 0 | 1>): Promise<T[]> {
    const fields = projection ? { ...projection, ...(Object.values(projection).includes(1) ? { createdAt: 1, type: 1, status: 1, tag: 1 } : {}) } : {};
    return this.Task.find({ lk: nodeId(scope, 0, second) }, fields).maxTimeMS(this.timeoutMs).lean<T[]>().exec();
  }

  /** The child numbers of a node, newest first, up to the one holding second `upper`. */
  private async children(parent: string, level: number, upper: number): Promise<number[]> {
    const marks = await this.ListMark.find({ p: parent }, { n: 1 }).maxTimeMS(this.timeoutMs).lean<Pick<ListMarkRecord, 'n'>[]>().exec();
    const bound = Math.floor(upper / LEVEL_SECONDS[level]);
    // Several marks (one per family of lists) may name the same child.
    return [...new Set(marks.map((m) => m.n))].filter((n) => n <= bound).sort((a, b) => b - a);
  }

  /** The seconds of an open status's list (children of its root, list-keys.ts), newest first, none after `upper`. */
  private async *openSeconds(scope: string, upper: number): AsyncGenerator<number[]> {
    const seconds = await this.children(rootId(scope), 0, upper);
    if (seconds.length) yield seconds;
  }

  /** Batches of non-empty seconds, newest first, none after `upper`. */
  private async *bucketsDesc(scope: string, upper: number): AsyncGenerator<number[]> {
    yield* this.under(scope, TOP_LEVEL, await this.children(rootId(scope), TOP_LEVEL, upper), upper);
  }

  /**
   * The non-empty seconds under `nodes` (of one level, newest first): the children of a few nodes are read
   * side by side, a window that grows while the page still needs more, so a sparse history costs a few
   * round trips per level rather than one per task.
   */
  private async *under(scope: string, level: number, nodes: number[], upper: number): AsyncGenerator<number[]> {
    for (let i = 0, width = 2; i < nodes.length; i += width, width = Math.min(width * 2, MAX_WINDOW)) {
      const lists = await Promise.all(nodes.slice(i, i + width).map((n) => this.children(nodeId(scope, level, n), level - 1, upper)));
      const kids = lists.flat();
      if (level === 1) {
        if (kids.length) yield kids;
      } else {
        yield* this.under(scope, level - 1, kids, upper);
      }
    }
  }
}
