import type { Model } from 'mongoose';
import { isDuplicateKey, type SlotRecord } from './task-model';
import { NO_SLOT, hasNoLimit, slotId } from './slots';

/** Documents per insertMany: what FerretDB here takes in one command without trouble (see bench/batch). */
export const INSERT_CHUNK = 200;

/**
 * Inserts documents whose unique `_id`s decide races, in chunks, unordered: for each document, whether
 * this call inserted it (a duplicate key means another writer holds it; any other error is thrown).
 */
export async function insertManyUnique(model: Model<never>, docs: ({ _id: string } & Record<string, unknown>)[]): Promise<boolean[]> {
  const inserted: boolean[] = [];
  for (let i = 0; i < docs.length; i += INSERT_CHUNK) {
    const chunk = docs.slice(i, i + INSERT_CHUNK);
    const ok = chunk.map(() => true);
    try {
      await model.collection.insertMany(chunk as never[], { ordered: false });
    } catch (err) {
      const writeErrors = (err as { writeErrors?: { index: number; code?: number; err?: { code?: number } }[] }).writeErrors;
      if (!writeErrors) throw err;
      for (const we of Array.isArray(writeErrors) ? writeErrors : [writeErrors]) {
        const code = we.code ?? we.err?.code;
        if (code !== 11000 && !isDuplicateKey(we)) throw err;
        ok[we.index] = false;
      }
    }
    inserted.push(...ok);
  }
  return inserted;
}

/**
 * Takes up to `taskIds.length` of an owner's `limit` places for a type, in bulk: slot documents tried by
 * unordered insertMany from a random place on, each race still decided by its unique `_id`. Returns the
 * slot of each task, or null for those left without one (the owner is at the limit).
 */
export async function takeSlots(Slot: Model<SlotRecord>, owner: string, type: string, limit: number, taskIds: string[]): Promise<(string | null)[]> {
  if (hasNoLimit(limit)) return taskIds.map(() => NO_SLOT);
  const result: (string | null)[] = taskIds.map(() => null);
  let waiting = taskIds.map((_, i) => i);
  let next = Math.floor(Math.random() * limit);
  let tried = 0;
  while (waiting.length > 0 && tried < limit) {
    const n = Math.min(waiting.length, limit - tried);
    const ids = Array.from({ length: n }, (_, j) => slotId(owner, type, (next + j) % limit));
    next = (next + n) % limit;
    tried += n;
    const takenAt = new Date();
    const ok = await insertManyUnique(Slot as unknown as Model<never>, ids.map((id, j) => ({ _id: id, taskId: taskIds[waiting[j]], takenAt })));
    const still: number[] = [];
    ok.forEach((won, j) => (won ? (result[waiting[j]] = ids[j]) : still.push(waiting[j])));
    waiting = still.concat(waiting.slice(n));
  }
  return result;
}
