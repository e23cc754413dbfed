import mongoose, { type Connection, type Model } from 'mongoose';

/**
 * A paused job type: the document's presence is the pause (`_id` = the type). Pausing inserts it, resuming
 * deletes it, so racing admins decide by a unique insert or a delete, never by an update.
 */
export interface JobTypePauseRecord {
  _id: string;
  by: string;
  at: Date;
}

const pauseSchema = new mongoose.Schema<JobTypePauseRecord>({ _id: String, by: String, at: Date }, { versionKey: false, collection: 'job_type_pauses' });

export function jobTypePauseModel(conn: Connection): Model<JobTypePauseRecord> {
  return conn.models.JobTypePause ?? conn.model<JobTypePauseRecord>('JobTypePause', pauseSchema);
}
