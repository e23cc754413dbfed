import { randomBytes } from 'node:crypto';
import type { mongo } from 'mongoose';

type Document = mongo.Document;

/**
 * How many fold writes one `update` command carries. FerretDB never answers a command of about 64
 * statements or more (the spec); 8 measured well here (bench/peers/status-writes.ts) and a partition's
 * batch rarely writes more tasks at once than its folds run side by side.
 */
export const DEFAULT_WRITES_PER_COMMAND = 8;

/**
 * Each write stores its own id in the task: when a command matched fewer tasks than it had statements, the
 * tasks holding their write's id are the ones written. (The fold's own fields cannot tell: an event
 * delivered twice folds to the same fields, and its second write must read as not written, or its task
 * would be counted finished twice.)
 */
export const FOLD_WRITE_FIELD = 'foldWrite';

export interface FoldWrite {
  /** `{_id}` alone, or with the state the write expects (a presumed task's `AS_INSERTED`). */
  filter: { _id: string } & Document;
  update: { $set?: Document; $unset?: Document };
}

interface Waiting extends FoldWrite {
  id: string;
  resolve: (written: string | undefined) => void;
  reject: (err: unknown) => void;
}

/** The native database and collection the writes go to (mongoose's `Model.db.db` and `Model.collection`). */
export interface FoldWriteTarget {
  command(cmd: Document): Promise<Document>;
  collectionName: string;
  findOne(filter: Document, opts: Document): Promise<Document | null>;
}

/**
 * Writes the folds of tasks that reach their write in the same turn of the event loop (a partition's batch
 * folds up to 16 tasks side by side) as one `update` command of several statements: one round trip and one
 * serialization instead of one per task. The status service's CPU per task fell by most of its write's share
 * and the database's did not grow (bench/peers/README.md). Each statement keeps its own filter, so a presumed
 * task's write stays conditional; the command only answers how many matched in all, so when that is fewer
 * than its statements, each task is read to tell which were written (FOLD_WRITE_FIELD).
 */
export class FoldWriteBatcher {
  private waiting: Waiting[] = [];
  private immediate?: NodeJS.Immediate;
  private readonly prefix = randomBytes(6).toString('base64url');
  private count = 0;

  constructor(
    private readonly target: () => FoldWriteTarget,
    private readonly opts: { perCommand?: number; maxTimeMS?: number } = {},
  ) {}

  /** Resolves the write's id (stored in the task's FOLD_WRITE_FIELD) when the task matched the filter, else undefined. */
  write(w: FoldWrite): Promise<string | undefined> {
    return new Promise((resolve, reject) => {
      this.waiting.push({ ...w, id: `${this.prefix}.${(this.count++).toString(36)}`, resolve, reject });
      this.immediate ??= setImmediate(() => this.flush());
    });
  }

  private flush(): void {
    this.immediate = undefined;
    const per = this.opts.perCommand ?? DEFAULT_WRITES_PER_COMMAND;
    const all = this.waiting;
    this.waiting = [];
    for (let i = 0; i < all.length; i += per) void this.send(all.slice(i, i + per));
  }

  private async send(batch: Waiting[]): Promise<void> {
    const target = this.target();
    try {
      const res = await target.command({
        update: target.collectionName,
        updates: batch.map((w) => ({ q: w.filter, u: { ...w.update, $set: { ...w.update.$set, [FOLD_WRITE_FIELD]: w.id } } })),
        ordered: false,
        ...(this.opts.maxTimeMS ? { maxTimeMS: this.opts.maxTimeMS } : {}),
      });
      const errors = res.writeErrors as Array<{ index: number; errmsg?: string }> | undefined;
      if (errors?.length) throw new Error(`task write failed: ${errors[0].errmsg ?? 'unknown error'}`);
      if (Number(res.n) === batch.length) {
        for (const w of batch) w.resolve(w.id);
        return;
      }
      const written = await Promise.all(batch.map((w) => this.holds(target, w)));
      batch.forEach((w, i) => w.resolve(written[i] ? w.id : undefined));
    } catch (err) {
      for (const w of batch) w.reject(err);
    }
  }

  /** Whether the stored task holds the write (read only when a command matched fewer tasks than it wrote). */
  private async holds(target: FoldWriteTarget, w: Waiting): Promise<boolean> {
    const doc = await target.findOne({ _id: w.filter._id }, { projection: { [FOLD_WRITE_FIELD]: 1 }, ...(this.opts.maxTimeMS ? { maxTimeMS: this.opts.maxTimeMS } : {}) });
    return doc?.[FOLD_WRITE_FIELD] === w.id;
  }
}
