import mongoose, { type Connection, type Model } from 'mongoose';
import type { Logger } from '@taskyard/logging';
import { insertUnique } from './task-model';

const { Schema } = mongoose;

/**
 * A run's hold on one attempt of a task whose message may have been published more than once (a workflow's
 * stage task, launched again by a restarted status service while its first message still waited; a retry
 * published again when its timer's batch was redelivered). `_id` = `<taskId>:<attempt>`: its unique insert
 * decides which of the messages runs. Plain submitted tasks, published once, never take one.
 */
export interface RunClaimRecord {
  _id: string;
  /** The UTC day of the claim (`YYYY-MM-DD`): old claims are deleted a day at a time by this one indexed equality. */
  d: string;
  holder: string;
  at: Date;
}

const runClaimSchema = new Schema<RunClaimRecord>({ _id: String, d: String, holder: String, at: Date }, { versionKey: false, collection: 'run_claims' });
runClaimSchema.index({ d: 1 });

export function runClaimModel(conn: Connection): Model<RunClaimRecord> {
  return conn.models.RunClaim ?? conn.model<RunClaimRecord>('RunClaim', runClaimSchema);
}

/** Claims are kept this many days: a duplicate message can only wait in a queue that long behind its twin. */
export const RUN_CLAIM_DAYS = 3;
/** Days before those deleted on each day's first claim: a worker idle for up to this long still leaves none behind. */
export const RUN_CLAIM_PRUNE_SPAN = 7;
const DAY_MS = 86_400_000;
const PRUNE_DEADLINE_MS = 15_000;

export const dayOf = (at: Date): string => at.toISOString().slice(0, 10);

export class RunClaims {
  private prunedOn?: string;

  constructor(
    private readonly model: Model<RunClaimRecord>,
    private readonly holder: string,
    private readonly logger: Logger,
  ) {}

  ensureIndexes(): Promise<void> {
    return this.model.createIndexes();
  }

  /** True for exactly one caller per task attempt, however many messages of it are taken at once. */
  async claim(taskId: string, attempt: number, now = new Date()): Promise<boolean> {
    this.pruneOnce(now);
    return insertUnique(this.model, { _id: `${taskId}:${attempt}`, d: dayOf(now), holder: this.holder, at: now });
  }

  /** Once per day per process, in the background: the claims of the days past retention, one equality each. */
  private pruneOnce(now: Date): void {
    const today = dayOf(now);
    if (this.prunedOn === today) return;
    this.prunedOn = today;
    void (async () => {
      for (let k = RUN_CLAIM_DAYS; k < RUN_CLAIM_DAYS + RUN_CLAIM_PRUNE_SPAN; k++) {
        await this.model.deleteMany({ d: dayOf(new Date(now.getTime() - k * DAY_MS)) }).maxTimeMS(PRUNE_DEADLINE_MS);
      }
    })().catch((err: Error) => this.logger.warn({ err: err.message }, 'old run claims not pruned; tried again tomorrow'));
  }
}
