import mongoose, { type Connection, type Model } from 'mongoose';

const { Schema } = mongoose;

/**
 * One run of a seed 001 job request: `_id` `<requestId>:<run>`, whose unique insert decides which of any
 * number of identical requests starts that run. It points at the task that does the work.
 */
export interface JobRequestRecord {
  _id: string;
  requestId: string;
  run: number;
  tag: string;
  /** `<tag>:<YYYY-MM-DD>` of its creation: the list reads a tag's requests day by day, by equality. */
  tagDay: string;
  jobId: string;
  taskId: string;
  requestedBy: string;
  requestedChannel?: string;
  /** The request as the client sent it, shown back in `request`. */
  request: Record<string, unknown>;
  createdAt: Date;
}

export const jobRequestRunId = (requestId: string, run: number): string => `${requestId}:${run}`;
export const tagDayOf = (tag: string, at: Date): string => `${tag}:${at.toISOString().slice(0, 10)}`;

const jobRequestSchema = new Schema<JobRequestRecord>(
  {
    _id: String,
    requestId: String,
    run: Number,
    tag: String,
    tagDay: String,
    jobId: String,
    taskId: String,
    requestedBy: String,
    requestedChannel: String,
    request: Schema.Types.Mixed,
    createdAt: Date,
  },
  { versionKey: false, collection: 'job_requests', minimize: false },
);
jobRequestSchema.index({ tagDay: 1 });

export function jobRequestModel(conn: Connection): Model<JobRequestRecord> {
  return conn.models.JobRequest ?? conn.model<JobRequestRecord>('JobRequest', jobRequestSchema);
}
