import mongoose, { type Model } from 'mongoose';
import { isDuplicateKey, outcomeModelOf, readOutcome, slotId, withOutcome, type SlotRecord, type TaskRecord } from '@taskyard/tasks';

/** A repeat of a submission within this window returns the first task. */
export const IDEMPOTENCY_WINDOW_MS = 24 * 60 * 60 * 1000;

export type IdempotentTask = Pick<TaskRecord, '_id' | 'status' | 'createdAt' | 'idempotencyFingerprint'>;

/**
 * The unique scope of one generation of an owner's key: a JSON array, so no owner or key, whatever
 * characters it holds, can spell another's scope (`K#1` is not the second generation of `K`, and an
 * owner with a `:` cannot reach another owner's keys).
 */
export const idempotencyScope = (owner: string, key: string, generation: number): string => JSON.stringify([owner, key, generation]);

/**
 * The generation a key's lookup starts from, `_id` = `[owner, key]` as JSON: stored when a lookup found the
 * key's task past the window (rare: a key reused after a day), so a key reused every day for a year is
 * still two reads, not one per generation. Only a hint: every generation below it has passed its window,
 * and a lookup walks on from it, so a stale or lost hint costs a read, never a wrong answer.
 */
interface KeyGenerationRecord {
  _id: string;
  g: number;
}
const keyGenerationSchema = new mongoose.Schema<KeyGenerationRecord>({ _id: String, g: Number }, { versionKey: false, collection: 'idempotency_keys' });

/**
 * `Idempotency-Key` as a unique value: the task carries `idempotencyScope`, and the unique index decides a
 * race of duplicates (one insert wins). The scope is `[owner, key, 0]`; once that task is older than the
 * window the key is free again, and the next task takes `[owner, key, n]`.
 */
export class Idempotency {
  private readonly KeyGeneration: Model<KeyGenerationRecord>;

  constructor(
    private readonly Task: Model<TaskRecord>,
    private readonly Slot: Model<SlotRecord>,
    private readonly timeoutMs: number,
  ) {
    this.KeyGeneration = Task.db.models.KeyGeneration ?? Task.db.model<KeyGenerationRecord>('KeyGeneration', keyGenerationSchema);
  }

  private async byScope(scope: string): Promise<IdempotentTask | null> {
    const projection = { _id: 1, status: 1, createdAt: 1, idempotencyFingerprint: 1 } as const;
    const task = await this.Task.findOne({ idempotencyScope: scope }, projection).maxTimeMS(this.timeoutMs).lean<IdempotentTask>().exec();
    // Its status as it is: a task found by its key is read with its end (task-outcome.ts), by `_id`.
    return task && withOutcome(task, await readOutcome(outcomeModelOf(this.Task), task._id, this.timeoutMs), projection);
  }

  /** The task a key still names (within the window), else the scope a new task should take. */
  async lookup(owner: string, key: string, now = Date.now()): Promise<{ existing?: IdempotentTask; scope: string }> {
    const hintId = JSON.stringify([owner, key]);
    // The hint and generation 0 side by side: a key never reused past its window costs one round trip.
    const [hint, first] = await Promise.all([
      this.KeyGeneration.findOne({ _id: hintId }, { g: 1 }).maxTimeMS(this.timeoutMs).lean<KeyGenerationRecord>().exec(),
      this.byScope(idempotencyScope(owner, key, 0)),
    ]);
    const start = hint?.g ?? 0;
    for (let generation = start; ; generation++) {
      const scope = idempotencyScope(owner, key, generation);
      const task = generation === 0 ? first : await this.byScope(scope);
      const live = task !== null && now - new Date(task.createdAt).getTime() < IDEMPOTENCY_WINDOW_MS;
      if (task && !live) continue;
      // The generations passed over are all past their window: the next lookup starts here.
      if (generation > start) await this.recordGeneration(hintId, generation);
      return task && live ? { existing: task, scope } : { scope };
    }
  }

  /** Raises a key's hint; a racing insert of the same hint is a duplicate, not an error. */
  private async recordGeneration(hintId: string, g: number): Promise<void> {
    await this.KeyGeneration.updateOne({ _id: hintId }, { $max: { g } }, { upsert: true })
      .maxTimeMS(this.timeoutMs)
      .exec()
      .catch((err: unknown) => {
        if (!isDuplicateKey(err)) throw err;
      });
  }

  /** A scope not tied to the window (a retry's `retry-of:<id>`): the task holding it, or the scope to take. */
  async lookupScope(scope: string): Promise<{ existing?: IdempotentTask; scope: string }> {
    const task = await this.byScope(scope);
    return task ? { existing: task, scope } : { scope };
  }

  /** The task that won a race for `scope`, read after losing the insert. */
  winner(scope: string): Promise<IdempotentTask | null> {
    return this.byScope(scope);
  }

  /** True when a slot is held by a submit that has not inserted its task yet. Reads by _id, one each: FerretDB scans for `$in`. */
  private async anySlotAhead(slotIds: string[]): Promise<boolean> {
    const slots = await Promise.all(slotIds.map((id) => this.Slot.findOne({ _id: id }, { taskId: 1 }).maxTimeMS(this.timeoutMs).lean().exec()));
    const stored = await Promise.all(
      slots.map((s) => (s ? this.Task.exists({ _id: s.taskId }).maxTimeMS(this.timeoutMs).exec() : Promise.resolve(true))),
    );
    return stored.some((found) => !found);
  }

  /**
   * A repeat that found every slot taken may be racing its own twin, which holds a slot but has not yet
   * inserted its task. While any slot's task is still missing, wait for the twin rather than answer 429.
   */
  async awaitTwin(scope: string, owner: string, type: string, limit: number, deadlineMs = 3000): Promise<IdempotentTask | null> {
    const ids = Array.from({ length: limit }, (_, k) => slotId(owner, type, k));
    const until = Date.now() + deadlineMs;
    for (;;) {
      const twin = await this.byScope(scope);
      if (twin) return twin;
      if (!(await this.anySlotAhead(ids)) || Date.now() > until) return this.byScope(scope);
      await new Promise((r) => setTimeout(r, 25));
    }
  }
}
