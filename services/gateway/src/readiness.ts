import type { Connection } from 'mongoose';
import type { ConfirmPublisher } from '@taskyard/messaging';
import type { ObjectStore } from '@taskyard/storage';

export interface ReadinessReport {
  ready: boolean;
  checks: { database: boolean; broker: boolean; storage: boolean };
}

function within<T>(ms: number, work: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

/** Ready = the database answers a ping, the broker's publish channel is open, and the bucket answers. */
export class Readiness {
  constructor(
    private readonly conn: Connection,
    private readonly publisher: ConfirmPublisher,
    private readonly store: ObjectStore,
    private readonly timeoutMs = 2000,
  ) {}

  private async ok(check: () => Promise<unknown>): Promise<boolean> {
    try {
      await within(this.timeoutMs, check());
      return true;
    } catch {
      return false;
    }
  }

  async report(): Promise<ReadinessReport> {
    const [database, storage] = await Promise.all([
      this.ok(async () => {
        if (!this.conn.db) throw new Error('not connected');
        await this.conn.db.command({ ping: 1 });
      }),
      this.ok(() => this.store.ping()),
    ]);
    const broker = this.publisher.ready;
    return { ready: database && broker && storage, checks: { database, broker, storage } };
  }
}
