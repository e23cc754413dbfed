import { WORKFLOW_TYPE, isTerminal } from '@taskyard/contracts';
import type { FoldTask } from './task-writes';

/** How many tasks one partition remembers as written (the least recently folded are forgotten first). */
export const DEFAULT_WRITTEN_TASKS_LIMIT = 1024;

/** A task as this process last wrote it, with that write's id (the task's `foldWrite`). */
export type WrittenTask = FoldTask & { foldWrite: string };

/**
 * The unfinished tasks of one status partition as this process last wrote them. The partition's consumer is
 * their only writer while it holds the queue, so the next events of such a task (a long job's outcome after
 * its `started`) are folded from here without a read, and written only if the stored task still holds the
 * write remembered (`foldWrite`: every fold write stores a new one); otherwise it is read and folded as
 * before. Dropped whenever the consumer may have lost the queue (another replica may write meanwhile), and
 * never kept across a restart. Finished tasks and workflows are not kept: their later events are rare.
 */
export class WrittenTasks {
  private readonly tasks = new Map<string, WrittenTask>();
  private generation = 0;

  constructor(private readonly limit = DEFAULT_WRITTEN_TASKS_LIMIT) {}

  /** Counts the drops: a fold begun before one may not put back what it folded (see `remember`). */
  get epoch(): number {
    return this.generation;
  }

  get size(): number {
    return this.tasks.size;
  }

  /** Takes a task out for its fold: put back by `remember` once written, so a fold that fails leaves none behind. */
  take(id: string): WrittenTask | undefined {
    const t = this.tasks.get(id);
    if (t) this.tasks.delete(id);
    return t;
  }

  /** Remembers a task as written, if it can have events to come and its fold began after the last drop. */
  remember(task: FoldTask, epoch: number): void {
    if (epoch !== this.generation || !task.foldWrite || isTerminal(task.status) || task.workflow || task.type === WORKFLOW_TYPE) return;
    this.tasks.set(task._id, task as WrittenTask);
    if (this.tasks.size > this.limit) this.tasks.delete(this.tasks.keys().next().value!);
  }

  /** Forgets every task: the consumer's hold on the partition may have ended. */
  drop(): void {
    this.generation += 1;
    this.tasks.clear();
  }
}
