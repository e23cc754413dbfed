import type { mongo } from 'mongoose';

type Document = mongo.Document;

/** Where a batcher's documents go: a database and one of its collections. */
export interface InsertTarget {
  db: Pick<mongo.Db, 'command'>;
  collection: string;
}

/** An insert command's answer: how many were stored, and the documents that were not (by their index in it). */
interface InsertReply {
  n?: number;
  writeErrors?: WriteErrorLike[];
}

/**
 * How long a first insert waits for others to share its command (0: only to the end of the current turn of
 * the event loop), how many one command carries, and how many commands are under way at once: inserts that
 * arrive while that many are written wait for one to end and go together (a group commit), so under load
 * the batches grow with the load and the database sees fewer commands, not a queue of small ones.
 */
export const DEFAULT_INSERT_WINDOW_MS = 0;
export const DEFAULT_INSERT_BATCH = 32;
export const DEFAULT_INSERTS_IN_FLIGHT = 2;

interface Waiting {
  doc: Document;
  resolve: () => void;
  reject: (err: unknown) => void;
}

/** The error of one document of a batch, shaped as a single insert's (so `isDuplicateKey` reads it the same). */
export class BatchedInsertError extends Error {
  constructor(
    readonly code: number | undefined,
    message: string,
  ) {
    super(message);
    this.name = 'BatchedInsertError';
  }
}

interface WriteErrorLike {
  index: number;
  code?: number;
  errmsg?: string;
}

/**
 * Inserts documents that arrive close together with one unordered insert command (FerretDB stores a batch
 * for about the cost of one insert; each single insert is its own transaction). Every caller still gets
 * its own answer: resolved once its document is stored, rejected with its own error (a duplicate key
 * decides a race exactly as a single insert's does). A lone insert goes at the end of the event loop's
 * turn (or after `windowMs`) when fewer than `maxInFlight` commands are under way, else with the next batch.
 *
 * The command is sent as it is (`db.command({insert})`), not through the driver's insertMany: its bulk
 * machinery sized each document in BSON before serializing it and built a bulk result per command (20-25%
 * of the client's CPU per document here), and it turned a command that failed as a whole (its deadline
 * passed) into a bulk error with no write errors, which read as every document stored.
 */
export class InsertBatcher {
  private waiting: Waiting[] = [];
  private timer?: NodeJS.Timeout;
  private immediate?: NodeJS.Immediate;
  private inFlight = 0;

  constructor(
    private readonly target: () => InsertTarget,
    private readonly opts: { windowMs?: number; maxBatch?: number; maxInFlight?: number; maxTimeMS?: number } = {},
  ) {}

  insert(doc: Document): Promise<void> {
    return new Promise((resolve, reject) => {
      this.waiting.push({ doc, resolve, reject });
      // A full batch goes at once (FerretDB's command size is the hard limit, the number in flight a soft one).
      if (this.waiting.length >= this.maxBatch) this.flush();
      else if (this.inFlight < this.maxInFlight) this.schedule();
    });
  }

  private get maxBatch(): number {
    return this.opts.maxBatch ?? DEFAULT_INSERT_BATCH;
  }

  private get maxInFlight(): number {
    return this.opts.maxInFlight ?? DEFAULT_INSERTS_IN_FLIGHT;
  }

  private schedule(): void {
    if (this.timer || this.immediate) return;
    const windowMs = this.opts.windowMs ?? DEFAULT_INSERT_WINDOW_MS;
    if (windowMs > 0) this.timer = setTimeout(() => this.flush(), windowMs);
    else this.immediate = setImmediate(() => this.flush());
  }

  private clearTimer(): void {
    clearTimeout(this.timer);
    clearImmediate(this.immediate);
    this.timer = undefined;
    this.immediate = undefined;
  }

  private flush(): void {
    this.clearTimer();
    while (this.waiting.length > 0) {
      const batch = this.waiting.splice(0, this.maxBatch);
      this.inFlight++;
      void this.write(batch).finally(() => this.written());
      if (this.waiting.length < this.maxBatch) break;
    }
    // What is left (less than a batch) goes when a command ends, or now if there is room.
    if (this.waiting.length > 0 && this.inFlight < this.maxInFlight) this.schedule();
  }

  private written(): void {
    this.inFlight--;
    if (this.waiting.length > 0 && this.inFlight < this.maxInFlight) this.schedule();
  }

  private async write(batch: Waiting[]): Promise<void> {
    let reply: InsertReply;
    try {
      const { db, collection } = this.target();
      const maxTimeMS = this.opts.maxTimeMS ? { maxTimeMS: this.opts.maxTimeMS } : {};
      reply = (await db.command({ insert: collection, documents: batch.map((w) => w.doc), ordered: false, ...maxTimeMS })) as InsertReply;
    } catch (err) {
      // The command failed as a whole (a deadline, the connection): nothing of it may be taken as stored.
      for (const w of batch) w.reject(err);
      return;
    }
    const failed = new Map<number, WriteErrorLike>();
    for (const we of reply.writeErrors ?? []) failed.set(we.index, we);
    batch.forEach((w, i) => {
      const we = failed.get(i);
      if (!we) return w.resolve();
      w.reject(new BatchedInsertError(we.code, we.errmsg ?? 'insert failed'));
    });
  }
}
