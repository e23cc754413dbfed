import mongoose, { type Connection, type Model } from 'mongoose';
import type { OccurrenceFields, ScheduleFields } from '@taskyard/contracts';
import { listMarkSchema, type ListMarkRecord } from '@taskyard/tasks';

const { Schema } = mongoose;

/**
 * A cron schedule: the fields the API shows (contracts' ScheduleFields) with its `_id` and dates. Only the
 * gateway writes it (on the owner's or an admin's request), each write the whole document; the schedulers
 * only read it.
 */
export interface ScheduleRecord extends ScheduleFields {
  _id: string;
  createdAt: Date;
  updatedAt: Date;
  /** Occurrences before this time are never fired nor caught up: creation, a resume, a new cron. */
  activeSince: Date;
}

/**
 * One occurrence of a schedule, `_id` `<scheduleId>:<fire time ISO>`: inserted by the one scheduler replica
 * that wins it, before its task; later written only by that replica (the outcome).
 */
export interface OccurrenceRecord extends OccurrenceFields {
  _id: string;
  scheduleId: string;
  fireAt: Date;
  holder: string;
  at: Date;
  /** `YYYY-MM-DD` (UTC) of fireAt: the day whose prune mark names this schedule (occurrence-history.ts). */
  day: string;
  /** The minute node of the schedule's history holding it: a history page and a prune read it by equality. */
  p: string;
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
  } satisfies Record<keyof ScheduleRecord, unknown>,
  { versionKey: false, collection: 'schedules', minimize: false },
);
scheduleSchema.index({ owner: 1 });
// The schedulers' refresh: the active ones.
scheduleSchema.index({ paused: 1 });

const occurrenceSchema = new Schema<OccurrenceRecord>(
  {
    _id: String,
    scheduleId: String,
    fireAt: Date,
    outcome: String,
    taskId: String,
    reason: String,
    catchUp: Boolean,
    holder: String,
    at: Date,
    day: String,
    p: String,
  } satisfies Record<keyof OccurrenceRecord, unknown>,
  { versionKey: false, collection: 'schedule_occurrences' },
);
occurrenceSchema.index({ outcome: 1 });
occurrenceSchema.index({ p: 1 });

export interface ScheduleModels {
  Schedule: Model<ScheduleRecord>;
  Occurrence: Model<OccurrenceRecord>;
  /** The marks of the schedules' histories (occurrence-history.ts): the task lists' shape, its own collection. */
  HistoryMark: Model<ListMarkRecord>;
}

export function scheduleModels(conn: Connection): ScheduleModels {
  return {
    Schedule: conn.models.Schedule ?? conn.model<ScheduleRecord>('Schedule', scheduleSchema),
    Occurrence: conn.models.Occurrence ?? conn.model<OccurrenceRecord>('Occurrence', occurrenceSchema),
    HistoryMark: conn.models.ScheduleHistoryMark ?? conn.model<ListMarkRecord>('ScheduleHistoryMark', listMarkSchema, 'schedule_history_marks'),
  };
}

export async function ensureScheduleIndexes(models: ScheduleModels): Promise<void> {
  await models.Schedule.createIndexes();
  await models.Occurrence.createIndexes();
  await models.HistoryMark.createIndexes();
}
