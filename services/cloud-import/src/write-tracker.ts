/**
 * The writes an import file has under way. When the file stops early (a failure, or the other file of its
 * stage failed), they are waited for before the failure goes on: no write outlives the import and the
 * schools' leases it holds, so a retry never meets a batch of the attempt before it.
 */
export class WriteTracker {
  private readonly pending = new Set<Promise<unknown>>();

  add(writing: Promise<unknown>): void {
    this.pending.add(writing);
    writing.then(
      () => this.pending.delete(writing),
      () => this.pending.delete(writing),
    );
  }

  /** Resolves once nothing is under way, whether the writes succeeded or not. */
  async settled(): Promise<void> {
    while (this.pending.size) await Promise.allSettled([...this.pending]);
  }
}
