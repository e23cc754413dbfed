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
 * Ids recorded ahead of the submits that will take them (`Outbox.take`): at least and at most this many
 * per entry, sized to about this many seconds of the recent submit rate. A new entry is written when half
 * of the current one is taken, so under load no submit waits for an outbox write.
 */
export const MIN_RESERVED_IDS = 16;
export const MAX_RESERVED_IDS = 512;
export const RESERVE_SECONDS = 0.5;

/**
 * What a submit holds between writing its tasks' outbox entry and the broker's confirms (see Outbox).
 * `insertBy`: the submit must insert its tasks by then or give up, since later a relay may already have
 * judged the entry taskless and deleted it.
 */
export interface OutboxTicket {
  readonly insertBy: number;
  /** These tasks need the entry no more (confirmed by the broker, or not inserted after all). */
  settle(ids: string[]): Promise<void>;
  /** The same, in the background: the caller answers now; `Outbox.close` waits for it. */
  release(ids: string[]): void;
}

/** A task id recorded in a stored outbox entry before its task exists (see Outbox.take). */
export interface ReservedId {
  id: string;
  ticket: OutboxTicket;
}

interface Reserve {
  ids: string[];
  /** How many have been handed out. */
  next: number;
  ticket: OutboxTicket;
  writtenAt: number;
  /** Handed out until then: a submit taking the last one still has a sixth of the grace to insert its task. */
  until: number;
  timer: NodeJS.Timeout;
  retired: boolean;
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
  private reserve?: Reserve;
  private refilling?: Promise<void>;
  /** Submits waiting in `take` for an entry to be written. */
  private wanting = 0;
  private closed = false;
  /** Settles under way in the background (`release`). */
  private readonly background = new Set<Promise<void>>();
  private readonly dueListeners: (() => void)[] = [];

  constructor(
    private readonly model: Model<OutboxRecord>,
    private readonly graceMs = OUTBOX_GRACE_MS,
    /** Told when a background settle failed (its entry is left to a relay: a second, harmless publish). */
    private readonly onReleaseError: (err: Error) => void = () => undefined,
  ) {}

  /**
   * A fresh task id already recorded in a stored entry, so the submit can insert its task at once: the
   * entry is written ahead, for the next submits (sized by the recent rate), not for this one. The entry
   * is deleted once each of its ids is settled: taken ones by their submits, the rest when the entry is
   * retired (replaced, or past its hand-out time). A relay finding an entry left by a killed process
   * publishes the tasks of it that were stored and skips the ids never used, as for any entry.
   */
  async take(): Promise<ReservedId> {
    this.wanting++;
    try {
      for (;;) {
        const r = this.reserve;
        if (r && r.next < r.ids.length && Date.now() < r.until) {
          const id = r.ids[r.next++];
          if (r.next >= r.ids.length / 2) this.refill().catch(() => undefined); // a failure is met by the next take
          return { id, ticket: r.ticket };
        }
        await this.refill();
      }
    } finally {
      this.wanting--;
    }
  }

  /** Retires the reserved ids and waits for the background settles (their entries' deletes). */
  async close(): Promise<void> {
    this.closed = true;
    await this.refilling?.catch(() => undefined);
    if (this.reserve) this.retire(this.reserve);
    while (this.background.size) await Promise.all([...this.background]);
  }

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
    for (const listener of this.dueListeners) listener();
  }

  /** Told each time this outbox stored entries due now (keepDue): a relay of this process that waits stops waiting. */
  onDue(listener: () => void): void {
    this.dueListeners.push(listener);
  }

  private refill(): Promise<void> {
    this.refilling ??= this.writeReserve().finally(() => (this.refilling = undefined));
    return this.refilling;
  }

  private async writeReserve(): Promise<void> {
    if (this.closed) throw new Error('the outbox is closed');
    const ids = Array.from({ length: this.reserveSize() }, () => randomUUID());
    const writtenAt = Date.now();
    const ticket = await this.enter(ids);
    if (this.reserve) this.retire(this.reserve);
    const until = ticket.insertBy - this.graceMs / 6;
    const reserve: Reserve = { ids, next: 0, ticket, writtenAt, until, retired: false, timer: setTimeout(() => this.retire(reserve), Math.max(0, until - Date.now())) };
    reserve.timer.unref();
    this.reserve = reserve;
  }

  /** About RESERVE_SECONDS of the rate the current entry's ids were taken at, plus the submits waiting. */
  private reserveSize(): number {
    const r = this.reserve;
    const rate = r ? r.next / Math.max(0.05, (Date.now() - r.writtenAt) / 1000) : 0;
    return Math.min(MAX_RESERVED_IDS, Math.max(MIN_RESERVED_IDS, Math.ceil(rate * RESERVE_SECONDS)) + this.wanting);
  }

  /** No more ids are handed out from this entry; those never taken are settled. */
  private retire(r: Reserve): void {
    if (r.retired) return;
    r.retired = true;
    clearTimeout(r.timer);
    if (this.reserve === r) this.reserve = undefined;
    const unused = r.ids.slice(r.next);
    r.next = r.ids.length;
    r.ticket.release(unused);
  }

  private track(settling: Promise<void>): void {
    const p = settling.catch((err: Error) => this.onReleaseError(err)).finally(() => this.background.delete(p));
    this.background.add(p);
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
      const ticket: OutboxTicket = {
        insertBy: started + this.graceMs / 3,
        settle: (ids) => this.settle(groups, ids),
        release: (ids) => this.track(this.settle(groups, ids)),
      };
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
