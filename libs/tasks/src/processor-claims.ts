import mongoose, { type Connection, type Model } from 'mongoose';

const { Schema } = mongoose;

/**
 * An HTTP processor's hold on one attempt of a task of an external type. `_id` is `<taskId>:<attempt>`:
 * its unique insert decides who holds the attempt. Only the holder writes it after that (its heartbeats
 * move `leaseUntil`), so no two writers race on it.
 */
export interface ProcessorClaimRecord {
  _id: string;
  taskId: string;
  type: string;
  attempt: number;
  /** Secret to the holder, and the run id of the status events its reports become. */
  leaseId: string;
  /** The principal of the key that claimed it. */
  holder: string;
  processor?: string;
  claimedAt: Date;
  leaseUntil: Date;
}

/**
 * How an attempt's claim ended: `_id` `<taskId>:<attempt>` again, inserted once. The completion and the
 * lease's expiry race for this insert; the loser changes nothing (a late report gets 409).
 */
export interface ClaimSettlementRecord {
  _id: string;
  outcome: 'succeeded' | 'failed' | 'cancelled' | 'expired';
  at: Date;
}

export interface ProcessorModels {
  Claim: Model<ProcessorClaimRecord>;
  Settlement: Model<ClaimSettlementRecord>;
}

export const claimId = (taskId: string, attempt: number): string => `${taskId}:${attempt}`;

export function processorModels(conn: Connection): ProcessorModels {
  return {
    Claim:
      conn.models.ProcessorClaim ??
      conn.model<ProcessorClaimRecord>(
        'ProcessorClaim',
        new Schema<ProcessorClaimRecord>(
          { _id: String, taskId: String, type: String, attempt: Number, leaseId: String, holder: String, processor: String, claimedAt: Date, leaseUntil: Date },
          { versionKey: false, collection: 'processor_claims' },
        ),
      ),
    Settlement:
      conn.models.ClaimSettlement ??
      conn.model<ClaimSettlementRecord>(
        'ClaimSettlement',
        new Schema<ClaimSettlementRecord>({ _id: String, outcome: String, at: Date }, { versionKey: false, collection: 'claim_settlements' }),
      ),
  };
}
