import type { Connection } from 'mongoose';
import { RetriableJobError } from '@taskyard/worker';

/** One import at a time per school: two writers of one document lose updates on FerretDB. */
export const LEASE_COLLECTION = 'import_leases';

interface LeaseDoc {
  _id: string;
  taskId: string;
  at: Date;
}

export interface LeaseOptions {
  /** How long to wait for a busy school before giving the attempt back to the broker to retry. */
  waitMs: number;
  /** A lease older than this is a crashed import's: it is broken (the job timeout plus a margin). */
  staleMs: number;
  pollMs?: number;
}

const isDuplicate = (err: unknown): boolean => (err as { code?: number }).code === 11000;
const leaseId = (schoolId: string): string => `import:school:${schoolId}`;

/**
 * Leases on schools, each taken by a unique insert (the one write that has exactly one winner here) and
 * released by deleting it. Schools are taken in sorted order, so two imports cannot each hold what the
 * other waits for.
 */
export class SchoolLeases {
  private readonly held: string[] = [];

  constructor(
    private readonly db: Connection,
    private readonly taskId: string,
    private readonly opts: LeaseOptions,
  ) {}

  private get leases() {
    return this.db.collection<LeaseDoc>(LEASE_COLLECTION);
  }

  /** Takes every school's lease or throws (after releasing what it took). */
  async acquire(schoolIds: string[], signal: AbortSignal, onWait?: (schoolId: string, holder: string) => void): Promise<void> {
    try {
      for (const school of [...new Set(schoolIds)].sort()) await this.take(school, signal, onWait);
    } catch (err) {
      await this.release();
      throw err;
    }
  }

  private async take(school: string, signal: AbortSignal, onWait?: (schoolId: string, holder: string) => void): Promise<void> {
    const _id = leaseId(school);
    const deadline = Date.now() + this.opts.waitMs;
    let told = false;
    for (;;) {
      signal.throwIfAborted();
      try {
        await this.leases.insertOne({ _id, taskId: this.taskId, at: new Date() });
        this.held.push(_id);
        return;
      } catch (err) {
        if (!isDuplicate(err)) throw err;
      }
      const holder = await this.leases.findOne({ _id });
      if (!holder) continue;
      // Our own earlier attempt (killed before it released), or a crashed import's: break it.
      if (holder.taskId === this.taskId || Date.now() - holder.at.getTime() > this.opts.staleMs) {
        await this.leases.deleteOne({ _id, taskId: holder.taskId, at: holder.at });
        continue;
      }
      if (!told) onWait?.(school, holder.taskId);
      told = true;
      if (Date.now() > deadline) throw new RetriableJobError('school-busy', `another import (${holder.taskId}) is writing school ${school}`);
      await new Promise((r) => setTimeout(r, this.opts.pollMs ?? 500));
    }
  }

  async release(): Promise<void> {
    while (this.held.length) await this.leases.deleteOne({ _id: this.held.pop()!, taskId: this.taskId });
  }
}
