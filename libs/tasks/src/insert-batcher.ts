import type { mongo } from 'mongoose';

type Document = mongo.Document;

/** How long a first insert waits for others to share its command, and how many one command carries. */
export const DEFAULT_INSERT_WINDOW_MS = 2;
export const DEFAULT_INSERT_BATCH = 32;

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
  err?: { code?: number; errmsg?: string };
}

/**
 * Inserts documents that arrive close together with one unordered insertMany (FerretDB stores a batch
 * for about the cost of one insert; each single insert is its own transaction). Every caller still gets
 * its own answer: resolved once its document is stored, rejected with its own error (a duplicate key
 * decides a race exactly as a single insert's does). A lone insert waits at most `windowMs`.
 */
export class InsertBatcher {
  private waiting: Waiting[] = [];
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly collection: () => Pick<mongo.Collection<Document>, 'insertMany'>,
    private readonly opts: { windowMs?: number; maxBatch?: number; maxTimeMS?: number } = {},
  ) {}

  insert(doc: Document): Promise<void> {
    return new Promise((resolve, reject) => {
      this.waiting.push({ doc, resolve, reject });
      if (this.waiting.length >= (this.opts.maxBatch ?? DEFAULT_INSERT_BATCH)) this.flush();
      else this.timer ??= setTimeout(() => this.flush(), this.opts.windowMs ?? DEFAULT_INSERT_WINDOW_MS);
    });
  }

  private flush(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    const batch = this.waiting;
    this.waiting = [];
    if (batch.length > 0) void this.write(batch);
  }

  private async write(batch: Waiting[]): Promise<void> {
    try {
      await this.collection().insertMany(batch.map((w) => w.doc), { ordered: false, ...(this.opts.maxTimeMS ? { maxTimeMS: this.opts.maxTimeMS } : {}) } as never);
      for (const w of batch) w.resolve();
    } catch (err) {
      const writeErrors = (err as { writeErrors?: WriteErrorLike | WriteErrorLike[] }).writeErrors;
      if (!writeErrors) {
        for (const w of batch) w.reject(err);
        return;
      }
      const failed = new Map<number, WriteErrorLike>();
      for (const we of Array.isArray(writeErrors) ? writeErrors : [writeErrors]) failed.set(we.index, we);
      batch.forEach((w, i) => {
        const we = failed.get(i);
        if (!we) return w.resolve();
        w.reject(new BatchedInsertError(we.code ?? we.err?.code, we.errmsg ?? we.err?.errmsg ?? 'insert failed'));
      });
    }
  }
}
