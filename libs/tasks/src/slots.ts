import type { Model } from 'mongoose';
import { isDuplicateKey, type SlotRecord } from './task-model';

export const slotId = (owner: string, type: string, k: number): string => `${owner}:${type}:${k}`;

/**
 * Takes one of an owner's `limit` places for a type by inserting its slot document. The unique `_id`
 * makes this exact under races (no read-then-write). Returns the slot id, or null when all are held.
 */
export async function takeSlot(Slot: Model<SlotRecord>, owner: string, type: string, limit: number, taskId: string): Promise<string | null> {
  // Probing from a random place keeps a large limit cheap: a few inserts, not one per held slot.
  const start = Math.floor(Math.random() * limit);
  for (let i = 0; i < limit; i++) {
    const id = slotId(owner, type, (start + i) % limit);
    try {
      await Slot.collection.insertOne({ _id: id, taskId, takenAt: new Date() } as never);
      return id;
    } catch (err) {
      if (!isDuplicateKey(err)) throw err;
    }
  }
  return null;
}

export async function releaseSlot(Slot: Model<SlotRecord>, id: string, taskId?: string): Promise<boolean> {
  const res = await Slot.deleteOne(taskId ? { _id: id, taskId } : { _id: id });
  return res.deletedCount === 1;
}
