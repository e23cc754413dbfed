import type { Model } from 'mongoose';
import { insertUnique, type SlotRecord } from './task-model';

export const slotId = (owner: string, type: string, k: number): string => `${owner}:${type}:${k}`;

/**
 * What a type without an unfinished limit (`unfinishedPerOwner: 0`) takes instead of a slot: no document
 * is written, read or deleted for it, and the task records no `slotId` (so the status service frees nothing).
 */
export const NO_SLOT = '(no limit)';

/** A limit of 0 (or less) means the type has no unfinished limit. */
export const hasNoLimit = (limit: number): boolean => limit <= 0;

/** Up to this limit the held slots are read first (cheap `_id` lookups) rather than probed by insert. */
const READ_FIRST_LIMIT = 16;

function shuffled<T>(items: T[]): T[] {
  const a = [...items];
  for (let i = a.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [a[i], a[j]] = [a[j], a[i]];
  }
  return a;
}

/** For a large limit: every slot from a random place on, made one at a time (a limit may be huge). */
function* probeFromRandom(owner: string, type: string, limit: number): Generator<string> {
  const start = Math.floor(Math.random() * limit);
  for (let i = 0; i < limit; i++) yield slotId(owner, type, (start + i) % limit);
}

/**
 * The order to try an owner's slots in: for a small limit, the free ones first (read by `_id`, which costs
 * far less than a refused insert here), in random order so racing submits spread out; for a large limit,
 * from a random place on.
 */
async function candidates(Slot: Model<SlotRecord>, owner: string, type: string, limit: number): Promise<Iterable<string>> {
  if (limit > READ_FIRST_LIMIT) return probeFromRandom(owner, type, limit);
  const all = Array.from({ length: limit }, (_, k) => slotId(owner, type, k));
  const held = await Promise.all(all.map((id) => Slot.findById(id, { _id: 1 }).lean().maxTimeMS(10_000)));
  return shuffled(all.filter((_, i) => !held[i]));
}

/**
 * Takes one of an owner's `limit` places for a type by inserting its slot document. The unique `_id`
 * decides every race (the read before only picks where to try), so this is exact: 20 racing submits
 * against a limit of 3 take exactly 3. Returns the slot id, or null when all are held.
 */
export async function takeSlot(Slot: Model<SlotRecord>, owner: string, type: string, limit: number, taskId: string): Promise<string | null> {
  if (hasNoLimit(limit)) return NO_SLOT;
  for (const id of await candidates(Slot, owner, type, limit)) {
    if (await insertUnique(Slot, { _id: id, taskId, takenAt: new Date() })) return id;
  }
  return null;
}

export async function releaseSlot(Slot: Model<SlotRecord>, id: string, taskId?: string): Promise<boolean> {
  if (id === NO_SLOT) return false;
  const res = await Slot.collection.deleteOne((taskId ? { _id: id, taskId } : { _id: id }) as never);
  return res.deletedCount === 1;
}
