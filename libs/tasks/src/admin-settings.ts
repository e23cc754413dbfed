import mongoose, { type Connection, type Model } from 'mongoose';
import { isDuplicateKey } from './task-model';

/**
 * A setting an admin changes while the system runs (`_id` = its name, e.g. HARVEST_HOSTS_SETTING_ID): its
 * whole value is written at once, and the services that apply it re-read it by `_id`, so a small
 * collection that never grows with use.
 */
export interface AdminSettingRecord<T = unknown> {
  _id: string;
  value: T;
  by: string;
  at: Date;
}

const settingSchema = new mongoose.Schema<AdminSettingRecord>(
  { _id: String, value: mongoose.Schema.Types.Mixed, by: String, at: Date },
  { versionKey: false, collection: 'admin_settings', minimize: false },
);

export function adminSettingModel(conn: Connection): Model<AdminSettingRecord> {
  return conn.models.AdminSetting ?? conn.model<AdminSettingRecord>('AdminSetting', settingSchema);
}

export async function readAdminSetting<T>(model: Model<AdminSettingRecord>, id: string, maxTimeMS: number): Promise<AdminSettingRecord<T> | null> {
  return (await model.collection.findOne({ _id: id } as never, { maxTimeMS })) as AdminSettingRecord<T> | null;
}

/**
 * Stores a setting's whole value: inserted the first time, replaced whole after that (never a partial
 * update: two admins racing leave one's value entire, the last written).
 */
export async function writeAdminSetting<T>(model: Model<AdminSettingRecord>, record: AdminSettingRecord<T>, maxTimeMS: number): Promise<void> {
  try {
    await model.collection.insertOne(record as never);
  } catch (err) {
    if (!isDuplicateKey(err)) throw err;
    await model.collection.replaceOne({ _id: record._id } as never, record as never, { maxTimeMS });
  }
}

/** A reader of one setting's value (null while never set), for a process that re-reads it (LiveOutboundRules). */
export function adminSettingReader<T>(conn: Connection, id: string, maxTimeMS: number): () => Promise<T | null> {
  const model = adminSettingModel(conn);
  return async () => (await readAdminSetting<T>(model, id, maxTimeMS))?.value ?? null;
}
