import mongoose, { type Connection, type Model } from 'mongoose';
import type { CatchUpRule, OccurrenceOutcome, ScheduleTemplate } from '@taskyard/contracts';

const { Schema } = mongoose;

/**
 * A cron schedule. Only the gateway writes it (on the owner's or an admin's request), each write the whole
 * document; the schedulers only read it.
 */
export interface ScheduleRecord {
  _id: string;
  name: string;
  owner: string;
  cron: string;
  timezone: string;
  template: ScheduleTemplate;
  paused: boolean;
  catchUp: CatchUpRule;
  createdAt: Date;
  updatedAt: Date;
  /** Occurrences before this time are never fired nor caught up: creation, a resume, a new cron. */
  activeSince: Date;
}

/**
 * One occurrence of a schedule, `_id` `<scheduleId>:<fire time ISO>`: inserted by the one scheduler replica
 * that wins it, before its task; later written only by that replica (the outcome).
 */
export interface OccurrenceRecord {
  _id: string;
  scheduleId: string;
  fireAt: Date;
  outcome: OccurrenceOutcome;
  taskId?: string;
  reason?: string;
  catchUp?: boolean;
  holder: string;
  at: Date;
  /** `YYYY-MM-DD` of fireAt: the bucket by which old history can be deleted, an equality per day. */
  day: string;
}

const scheduleSchema = new Schema<ScheduleRecord>(
  {
    _id: String,
    name: String,
    owner: { type: String, required: true },
    cron: { type: String, required: true },
    timezone: { type: String, required: true },
    template: { type: Schema.Types.Mixed, required: true },
    paused: Boolean,
    catchUp: String,
    createdAt: Date,
    updatedAt: Date,
    activeSince: Date,
  },
  { versionKey: false, collection: 'schedules', minimize: false },
);
scheduleSchema.index({ owner: 1 });
// The schedulers' refresh: the active ones.
scheduleSchema.index({ paused: 1 });

const occurrenceSchema = new Schema<OccurrenceRecord>(
  { _id: String, scheduleId: String, fireAt: Date, outcome: String, taskId: String, reason: String, catchUp: Boolean, holder: String, at: Date, day: String },
  { versionKey: false, collection: 'schedule_occurrences' },
);
occurrenceSchema.index({ outcome: 1 });

export interface ScheduleModels {
  Schedule: Model<ScheduleRecord>;
  Occurrence: Model<OccurrenceRecord>;
}

export function scheduleModels(conn: Connection): ScheduleModels {
  return {
    Schedule: conn.models.Schedule ?? conn.model<ScheduleRecord>('Schedule', scheduleSchema),
    Occurrence: conn.models.Occurrence ?? conn.model<OccurrenceRecord>('Occurrence', occurrenceSchema),
  };
}

export async function ensureScheduleIndexes(models: ScheduleModels): Promise<void> {
  await models.Schedule.createIndexes();
  await models.Occurrence.createIndexes();
}
