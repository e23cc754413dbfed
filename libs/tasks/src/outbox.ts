import { randomUUID } from 'node:crypto';
import type { Model } from 'mongoose';
import { insertManyUnique } from './bulk-slots';
import type { OutboxRecord } from './task-model';

/**
 * How long a relay leaves a fresh entry to the submit that wrote it (default). Longer than the broker's
 * confirm deadline (10 s), so a relay does not publish what the submit is still waiting for.
 */
export const OUTBOX_GRACE_MS = 30_000;

/** Task ids in one entry: an entry stays a small document (~40 KB at most). */
const IDS_PER_ENTRY = 1000;

/**
 * What a submit holds between writing its tasks' outbox entry and the broker's confirms (see Outbox).
 * `insertBy`: the submit must insert its tasks by then or give up, since later a relay may already have
 * judged the entry taskless and deleted it.
 */
export interface OutboxTicket {
  readonly insertBy: number;
  /** These tasks need the entry no more (confirmed by the broker, or not inserted after all). */
  settle(ids: string[]): Promise<void>;
}

interface Group {
  entryId: string;
  unsettled: Set<string>;
}

interface Waiting {
  ids: string[];
  resolve: (ticket: OutboxTicket) => void;
  reject: (err: unknown) => void;
}

/**
 * The outbox, written BEFORE tasks are inserted, so that a process killed anywhere between the insert and
 * the broker's confirm leaves an entry behind: a relay, once the entry is past `relayAfter`, publishes each
 * of its tasks still waiting (a duplicate message is harmless: the task id dedupes) and skips those never
 * inserted, then deletes the entry. One entry covers the tasks of every submit that asked while the previous
 * write was under way (a group commit): under load a submit costs a share of one insert and one delete,
 * not one of each. The entry is deleted once all its tasks are settled.
 */
export class Outbox {
  private waiting: Waiting[] = [];
  private writing = false;

  constructor(
    private readonly model: Model<OutboxRecord>,
    private readonly graceMs = OUTBOX_GRACE_MS,
  ) {}

  /** Resolves once an entry naming these tasks is stored. */
  enter(ids: string[]): Promise<OutboxTicket> {
    return new Promise((resolve, reject) => {
      this.waiting.push({ ids, resolve, reject });
      if (!this.writing) void this.write();
    });
  }

  /**
   * Entries of their own, due at once, for tasks the broker did not confirm: the relays publish them as
   * soon as the broker is back (their group's entry would wait out the grace period).
   */
  async keepDue(ids: string[]): Promise<void> {
    const now = new Date();
    await insertManyUnique(this.model as unknown as Model<never>, ids.map((_id) => ({ _id, createdAt: now, relayAfter: now }) as never));
  }

  private async write(): Promise<void> {
    this.writing = true;
    while (this.waiting.length) {
      const batch = this.waiting.splice(0);
      const started = Date.now();
      const groups = chunks(batch.flatMap((w) => w.ids), IDS_PER_ENTRY).map((ids): Group => ({ entryId: `group:${randomUUID()}`, unsettled: new Set(ids) }));
      const entries = groups.map((g) => ({ _id: g.entryId, taskIds: [...g.unsettled], createdAt: new Date(started), relayAfter: new Date(started + this.graceMs) }));
      try {
        await insertManyUnique(this.model as unknown as Model<never>, entries as never[]);
      } catch (err) {
        for (const w of batch) w.reject(err);
        continue;
      }
      const ticket: OutboxTicket = { insertBy: started + this.graceMs / 3, settle: (ids) => this.settle(groups, ids) };
      for (const w of batch) w.resolve(ticket);
    }
    this.writing = false;
  }

  private async settle(groups: Group[], ids: string[]): Promise<void> {
    const done: string[] = [];
    for (const g of groups) {
      if (g.unsettled.size === 0) continue;
      for (const id of ids) g.unsettled.delete(id);
      if (g.unsettled.size === 0) done.push(g.entryId);
    }
    for (const entryId of done) await this.model.collection.deleteOne({ _id: entryId } as never);
  }
}

/** Entries due for a relay (the outbox is small: one entry per group of submits under way, and what a broker outage left). */
export function dueOutboxEntries(Outbox: Model<OutboxRecord>, before: Date, limit: number, maxTimeMS: number): Promise<OutboxRecord[]> {
  return Outbox.find({ relayAfter: { $lte: before } }).limit(limit).maxTimeMS(maxTimeMS).lean<OutboxRecord[]>().exec();
}

/** The tasks an entry stands for: a group's, or the one task an entry of its own is named after. */
export const outboxTaskIds = (entry: Pick<OutboxRecord, '_id' | 'taskIds'>): string[] => entry.taskIds ?? [entry._id];

function chunks<T>(items: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}
