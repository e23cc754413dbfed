import { randomUUID } from 'node:crypto';
import type { JobTypeDefinition, TaskStatus } from '@taskyard/contracts';
import {
  ListMarks,
  insertManyUnique,
  newTaskRecord,
  releaseSlot,
  takeSlots,
  type NewTask,
  type OutboxTicket,
  type TaskModels,
} from '@taskyard/tasks';
import type { Model } from 'mongoose';
import { ApiFailure, DatabaseDown, QuotaExceeded } from './errors';
import type { InFlight } from './in-flight';
import type { GatewayMetrics } from './metrics';
import { startTime, type SubmitRequest, type TaskSubmission } from './task-submission';

/** The most tasks one `POST /v1/tasks:batch` takes. */
export const MAX_BATCH = 1000;

export type BatchItem = Omit<SubmitRequest, 'owner' | 'idempotencyKey' | 'retryOf' | 'parentId' | 'fileSha256'>;

export type BatchResult =
  | { index: number; id: string; status: TaskStatus }
  | { index: number; error: { code: string; message: string; details?: unknown } };

interface Accepted {
  index: number;
  item: BatchItem;
  def: JobTypeDefinition;
  id: string;
}

const failure = (index: number, err: ApiFailure): BatchResult => ({
  index,
  error: { code: err.code, message: err.message, ...(err.details !== undefined ? { details: err.details } : {}) },
});

/**
 * Many tasks in one request, each accepted or refused on its own (a result per item, in order). Cheaper
 * per task than single submits: slots, outbox entries (before the tasks, as a single submit's) and tasks
 * are inserted with unordered insertMany (a slot race is still decided per `_id`), and the messages are
 * published side by side under one confirm window, after the answer (as a single submit's).
 */
export class BatchSubmission {
  private readonly marks: ListMarks;

  constructor(
    private readonly models: TaskModels,
    private readonly single: TaskSubmission,
    private readonly metrics: GatewayMetrics,
    private readonly inFlight: InFlight,
  ) {
    this.marks = new ListMarks(models.ListMark);
  }

  submit(owner: string, items: BatchItem[]): Promise<BatchResult[]> {
    return this.inFlight.run(() => this.accept(owner, items));
  }

  private async accept(owner: string, items: BatchItem[]): Promise<BatchResult[]> {
    const results: BatchResult[] = new Array(items.length);
    const valid: Accepted[] = [];
    items.forEach((item, index) => {
      try {
        valid.push({ index, item, def: this.single.check({ ...item, params: item.params ?? {} }, false), id: randomUUID() });
      } catch (err) {
        if (!(err instanceof ApiFailure)) throw err;
        results[index] = failure(index, err);
      }
    });
    const byType = new Map<string, Accepted[]>();
    for (const a of valid) byType.set(a.def.type, [...(byType.get(a.def.type) ?? []), a]);
    for (const group of byType.values()) await this.acceptType(owner, group, results);
    return results;
  }

  private async acceptType(owner: string, group: Accepted[], results: BatchResult[]): Promise<void> {
    const def = group[0].def;
    const slots = await takeSlots(this.models.Slot, owner, def.type, def.limits.unfinishedPerOwner, group.map((a) => a.id));
    const placed: { a: Accepted; slot: string; task: NewTask }[] = [];
    group.forEach((a, i) => {
      const slot = slots[i];
      if (!slot) {
        this.metrics.rejected.inc({ type: def.type, code: 'quota-exceeded' });
        results[a.index] = failure(a.index, new QuotaExceeded(def.type, def.limits.unfinishedPerOwner));
        return;
      }
      const task = newTaskRecord({ ...a.item, params: a.item.params ?? {}, id: a.id, def, owner, slotId: slot, runAt: startTime(a.item) });
      placed.push({ a, slot, task });
    });
    const { stored, ticket } = await this.store(placed.map((p) => p.task));
    const inserted = placed.filter((_, i) => stored[i]);
    // As a single submit: answered once stored; the publish follows, tracked for a graceful shutdown.
    this.single.dispatchInBackground(ticket, inserted.map((p) => p.task), def.type);
    inserted.forEach(({ a, task }) => {
      this.metrics.submitted.inc({ type: def.type });
      results[a.index] = { index: a.index, id: task._id, status: task.status };
    });
    const refused = new DatabaseDown('the task could not be stored; submit it again');
    await Promise.all(
      placed
        .filter((_, i) => !stored[i])
        .map(async ({ a, slot, task }) => {
          await releaseSlot(this.models.Slot, slot, task._id);
          results[a.index] = failure(a.index, refused);
        }),
    );
  }

  /**
   * Stores the list marks (so a list read right after finds the tasks), their outbox entry, then the tasks
   * in bulk; which tasks were inserted. A task not inserted needs the entry no more.
   */
  private async store(tasks: NewTask[]): Promise<{ stored: boolean[]; ticket: OutboxTicket }> {
    await this.marks.ensureAll(tasks);
    const ids = tasks.map((t) => t._id);
    const ticket = await this.single.outbox.enter(ids);
    const stored = Date.now() > ticket.insertBy ? ids.map(() => false) : await insertManyUnique(this.models.Task as unknown as Model<never>, tasks as never[]);
    const left = ids.filter((_, i) => !stored[i]);
    if (left.length) await ticket.settle(left);
    return { stored, ticket };
  }
}
