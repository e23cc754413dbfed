/**
 * What a list reader (task-list.ts) has learnt of ended tasks, so its next pages skip reads that would only
 * tell it again. Since a task's end is an outcome of its own (task-outcome.ts), the task document stays as
 * it was when the task ended: an open status's list keys (a fast job's `queued`) and, for a list of an ended
 * status, none of its keys. Two things stay true from then on:
 * - a task with an outcome never leaves its end for an open status (terminal states only go `succeeded` →
 *   `expired`), so a bucket of an open list whose every task had ended when read needs no outcome read
 *   again, but for a task new to it (task-outcome.ts, bucketTasks);
 * - the task document of an ended task is no longer written (every later change goes to its outcome, and a
 *   deletion deletes both), so the document a reader read to list its end can list it again, merged with
 *   the outcome the page reads afresh.
 * Bounded: each map is forgotten at once when full (the next pages read again), and a kept document only
 * for ENDED_DOC_MS (a deletion that removed the task but failed before its outcome is listed at most that long).
 * Each status partition keeps one too, of the tasks whose end it wrote: their later heartbeat checks are acked
 * without a read (the status service's event-folder.ts).
 */
export const ENDED_LIMIT = 50_000;
// A document holds the task's params: a few thousand (a few MB) hold the first pages of many lists; past that, read again.
export const ENDED_DOCS_LIMIT = 5_000;
export const ENDED_DOC_MS = 120_000;

export class EndedTasks {
  private readonly ended = new Set<string>();
  /** Open lists' buckets (by key) whose every task had ended when last read. */
  private readonly endedBuckets = new Set<string>();
  private readonly docs = new Map<string, { at: number; doc: { _id: string } }>();

  constructor(private readonly now: () => number = Date.now) {}

  /** Remembers tasks found with an outcome. */
  noteEnded(ids: Iterable<string>): void {
    for (const id of ids) {
      if (this.ended.size >= ENDED_LIMIT && !this.ended.has(id)) this.ended.clear();
      this.ended.add(id);
    }
  }

  isEnded(id: string): boolean {
    return this.ended.has(id);
  }

  /** Remembers whether every task an open list's bucket held had ended (read with their outcomes). */
  noteBucket(key: string, allEnded: boolean): void {
    if (!allEnded) {
      this.endedBuckets.delete(key);
      return;
    }
    if (this.endedBuckets.size >= ENDED_LIMIT) this.endedBuckets.clear();
    this.endedBuckets.add(key);
  }

  bucketEnded(key: string): boolean {
    return this.endedBuckets.has(key);
  }

  /** The document of an ended task read with this projection (`projectionKey`), if kept and fresh enough. */
  doc<T extends { _id: string }>(id: string, projectionKey: string): T | undefined {
    const kept = this.docs.get(`${projectionKey}|${id}`);
    return kept && this.now() - kept.at < ENDED_DOC_MS ? (kept.doc as T) : undefined;
  }

  /** Keeps the document of a task read for its outcome (so it had ended). */
  keepDoc(doc: { _id: string }, projectionKey: string): void {
    const key = `${projectionKey}|${doc._id}`;
    if (this.docs.size >= ENDED_DOCS_LIMIT && !this.docs.has(key)) this.docs.clear();
    this.docs.set(key, { at: this.now(), doc });
  }
}
