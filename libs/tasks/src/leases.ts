import type { Model } from 'mongoose';
import { insertUnique, type LeaseRecord } from './task-model';

/**
 * Claims a once-only occurrence named `id` (a sweep round `sweep:heartbeat:<round>`, a schedule tick):
 * true for exactly one caller, however many race.
 */
export function claimOnce(Lease: Model<LeaseRecord>, id: string, holder: string): Promise<boolean> {
  return insertUnique(Lease, { _id: id, holder, at: new Date() });
}
