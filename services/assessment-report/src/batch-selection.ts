import type { Connection } from 'mongoose';
import type { AssessmentReportParams } from '@taskyard/contracts';
import { schoolModels, type AssessmentBatchRecord } from '@taskyard/school-data';
import { PermanentJobError } from '@taskyard/worker';

/**
 * The batches a request names, checked before any work or fan-out: every id must exist, and with a
 * channel filter only the batches published on those channels are reported.
 */
/** The most batches one request reports by channel alone (one child task each). */
export const MAX_BATCHES_BY_CHANNEL = 200;

/** Seed 001's request by channels only: every batch published on them, read by channel (an indexed equality). */
async function batchesOnChannels(db: Connection, channels: string[]): Promise<AssessmentBatchRecord[]> {
  const found: AssessmentBatchRecord[] = [];
  for (const channel of new Set(channels)) {
    const left = MAX_BATCHES_BY_CHANNEL - found.length;
    if (left <= 0) break;
    found.push(...(await schoolModels(db).AssessmentBatch.find({ channel }).limit(left).lean<AssessmentBatchRecord[]>()));
  }
  return found;
}

export async function selectBatches(db: Connection, filters: AssessmentReportParams['batchFilters']): Promise<{ selected: AssessmentBatchRecord[]; outOfChannel: string[] }> {
  if (filters.ids.length === 0) return { selected: await batchesOnChannels(db, filters.channels), outOfChannel: [] };
  const found = await schoolModels(db).AssessmentBatch.find({ _id: { $in: filters.ids } }).lean();
  const byId = new Map(found.map((b) => [b._id, b]));
  const missing = filters.ids.filter((id) => !byId.has(id));
  if (missing.length) throw new PermanentJobError('batch-not-found', `no assessment batch ${missing.join(', ')}`);
  const channels = new Set(filters.channels);
  const inChannel = (b: AssessmentBatchRecord): boolean => channels.size === 0 || channels.has(b.channel);
  const ordered = filters.ids.map((id) => byId.get(id)!);
  return { selected: ordered.filter(inChannel), outOfChannel: ordered.filter((b) => !inChannel(b)).map((b) => b._id) };
}
