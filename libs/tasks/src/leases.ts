import type { Model } from 'mongoose';
import { isDuplicateKey, type LeaseRecord } from './task-model';

/**
 * Claims a once-only occurrence named `id` (a sweep round `sweep:heartbeat:<minute>`, a schedule tick):
 * true for exactly one caller, however many race.
 */
export async function claimOnce(Lease: Model<LeaseRecord>, id: string, holder: string): Promise<boolean> {
  try {
    await Lease.collection.insertOne({ _id: id, holder, at: new Date() } as never);
    return true;
  } catch (err) {
    if (isDuplicateKey(err)) return false;
    throw err;
  }
}
