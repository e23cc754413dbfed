import { Schema, type Connection, type Model } from 'mongoose';
import { insertUnique } from '@taskyard/tasks';

/**
 * A file a harvest produced, waiting to be collected (the seed's `success` → `downloaded`). Found by
 * `collectKey` (`<owner>|ready`, then `<owner>|downloaded`): one indexed equality, no scan of the history.
 */
export interface HarvestResultRecord {
  /** The task that produced it. */
  _id: string;
  owner: string;
  name: string;
  key: string;
  size: number;
  contentType: string;
  createdAt: Date;
  collectKey: string;
  downloadedAt?: Date;
  downloadedBy?: string;
}

/** Who collected a result: the unique insert that decides it, so two collect runs never both take one. */
export interface HarvestDownloadRecord {
  _id: string;
  by: string;
  at: Date;
}

export const readyKey = (owner: string): string => `${owner}|ready`;
export const downloadedKey = (owner: string): string => `${owner}|downloaded`;

const options = { versionKey: false, autoIndex: false } as const;
const resultSchema = new Schema<HarvestResultRecord>(
  {
    _id: String,
    owner: { type: String, required: true },
    name: { type: String, required: true },
    key: { type: String, required: true },
    size: { type: Number, required: true },
    contentType: { type: String, required: true },
    createdAt: { type: Date, required: true },
    collectKey: { type: String, required: true },
    downloadedAt: Date,
    downloadedBy: String,
  },
  options,
).index({ collectKey: 1 });
const downloadSchema = new Schema<HarvestDownloadRecord>({ _id: String, by: { type: String, required: true }, at: { type: Date, required: true } }, options);

export interface HarvestModels {
  HarvestResult: Model<HarvestResultRecord>;
  HarvestDownload: Model<HarvestDownloadRecord>;
}

export function harvestModels(conn: Connection): HarvestModels {
  return {
    HarvestResult: (conn.models.HarvestResult as Model<HarvestResultRecord> | undefined) ?? conn.model<HarvestResultRecord>('HarvestResult', resultSchema, 'harvest_results'),
    HarvestDownload: (conn.models.HarvestDownload as Model<HarvestDownloadRecord> | undefined) ?? conn.model<HarvestDownloadRecord>('HarvestDownload', downloadSchema, 'harvest_downloads'),
  };
}

const indexed = new WeakMap<Connection, Promise<void>>();
/** The collect key's index, made once per connection before the first use. */
export function ensureHarvestIndexes(conn: Connection): Promise<void> {
  const made = indexed.get(conn) ?? harvestModels(conn).HarvestResult.createIndexes().then(() => undefined);
  indexed.set(conn, made);
  made.catch(() => indexed.delete(conn));
  return made;
}

/** Keeps a produced file for collection (a re-run of the same task keeps it once). */
export async function keepForCollection(conn: Connection, doc: Omit<HarvestResultRecord, 'collectKey' | 'createdAt'>): Promise<void> {
  await ensureHarvestIndexes(conn);
  await insertUnique(harvestModels(conn).HarvestResult, { ...doc, createdAt: new Date(), collectKey: readyKey(doc.owner) });
}

/** Takes a result for this collect task: true for exactly one task, however many race (and again for the same task's re-run). */
export async function takeForDownload(conn: Connection, resultId: string, taskId: string, timeoutMs = 10_000): Promise<boolean> {
  const { HarvestDownload } = harvestModels(conn);
  if (await insertUnique(HarvestDownload, { _id: resultId, by: taskId, at: new Date() })) return true;
  const holder = await HarvestDownload.findOne({ _id: resultId }, { by: 1 }).maxTimeMS(timeoutMs).lean().exec();
  return holder?.by === taskId;
}
