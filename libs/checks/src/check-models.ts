import { Schema, type Connection, type Model } from 'mongoose';

/**
 * A received check, stored as it came (the seed's `receivedCheck` row): keyed by school and check code, the
 * compressed archive untouched; the validator and the marker add their outcome to it, one after another.
 */
export interface ReceivedCheckRecord {
  /** `<schoolUUID>:<checkCode>` (neither may hold a `:`): the unique key that decides duplicates. */
  _id: string;
  schoolUUID: string;
  checkCode: string;
  version: number;
  /** The compressed archive, exactly as the browser sent it. */
  checkData: string;
  dateReceived: Date;
  /** The task that received it: a re-run of that task is not a duplicate of itself. */
  receivedBy: string;
  /** The school's check record could not be updated (the seed's `sqlUpdateError`). */
  checkUpdateError?: string;
  validatedAt?: Date;
  validationError?: string;
  markedAt?: Date;
  mark?: number;
  maxMark?: number;
  markError?: string;
}

/** A teacher-facing notice that a pupil's check could not be processed; one per check and failure. */
export interface TeacherNotificationRecord {
  /** `<schoolUUID>:<checkCode>:<error code>`, so a repeated failure notice notifies once. */
  _id: string;
  schoolUUID: string;
  checkCode: string;
  pupilId?: string;
  code: string;
  message: string;
  createdAt: Date;
}

export const CHECK_COLLECTIONS = { receivedChecks: 'received_checks', teacherNotifications: 'teacher_notifications' } as const;

export interface CheckModels {
  ReceivedCheck: Model<ReceivedCheckRecord>;
  TeacherNotification: Model<TeacherNotificationRecord>;
}

const options = { versionKey: false, autoIndex: false, strict: 'throw' } as const;

const schemas = {
  ReceivedCheck: new Schema<ReceivedCheckRecord>(
    {
      _id: String,
      schoolUUID: { type: String, required: true },
      checkCode: { type: String, required: true },
      version: { type: Number, required: true },
      checkData: { type: String, required: true },
      dateReceived: { type: Date, required: true },
      receivedBy: { type: String, required: true },
      checkUpdateError: String,
      validatedAt: Date,
      validationError: String,
      markedAt: Date,
      mark: Number,
      maxMark: Number,
      markError: String,
    },
    options,
  ),
  // Teachers read their school's notices by this equality.
  TeacherNotification: new Schema<TeacherNotificationRecord>(
    {
      _id: String,
      schoolUUID: { type: String, required: true },
      checkCode: { type: String, required: true },
      pupilId: String,
      code: { type: String, required: true },
      message: { type: String, required: true },
      createdAt: { type: Date, required: true },
    },
    options,
  ).index({ schoolUUID: 1 }),
};

function model<T>(conn: Connection, name: keyof typeof schemas, collection: string): Model<T> {
  return (conn.models[name] as Model<T> | undefined) ?? conn.model<T>(name, schemas[name] as unknown as Schema<T>, collection);
}

export function checkModels(conn: Connection): CheckModels {
  return {
    ReceivedCheck: model(conn, 'ReceivedCheck', CHECK_COLLECTIONS.receivedChecks),
    TeacherNotification: model(conn, 'TeacherNotification', CHECK_COLLECTIONS.teacherNotifications),
  };
}

export async function ensureCheckIndexes(conn: Connection): Promise<void> {
  for (const m of Object.values(checkModels(conn)) as Model<unknown>[]) await m.createIndexes();
}

/** The received check's key: school and check code, which the schema keeps free of `:`. */
export const receivedCheckId = (schoolUUID: string, checkCode: string): string => `${schoolUUID}:${checkCode}`;
