import { createHash, randomUUID } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { Transform, Writable, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { FastifyRequest } from 'fastify';
import type { MultipartFile } from '@fastify/multipart';
import { inspectZip, ZipRejected } from '@taskyard/archive';
import type { JobTypeDefinition } from '@taskyard/contracts';
import { uploadKey, type ObjectStore } from '@taskyard/storage';
import { InvalidParams, InvalidRequest, InvalidZip, TooManyUploads, UploadTooLarge } from './errors';
import { nulDetails, nulMessage } from './nul-characters';
import type { JobCatalog } from './job-catalog';
import type { Stager } from './task-submission';

/** An uploaded file spooled to a temp file. Past the limit, bytes are read and dropped, never stored. */
export interface SpooledUpload {
  path: string;
  fileName: string;
  bytes: number;
  tooLarge: boolean;
  /** SHA-256 (hex) of the bytes kept. */
  sha256: string;
}

export interface MultipartForm {
  fields: Record<string, unknown>;
  file?: SpooledUpload;
}

/** Passes bytes through up to `limit` (hashing them), then swallows the rest so the request is still read to its end. */
class SizeLimit extends Transform {
  bytes = 0;
  exceeded = false;
  readonly hash = createHash('sha256');

  constructor(private readonly limit: number) {
    super();
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    this.bytes += chunk.length;
    if (this.bytes > this.limit) this.exceeded = true;
    if (!this.exceeded) this.hash.update(chunk);
    done(null, this.exceeded ? undefined : chunk);
  }
}

const discardAll = (): Writable => new Writable({ write: (_chunk, _enc, done) => done() });

const FIELD_LIMITS = { fields: 10, fieldSize: 1024 * 1024, files: 1, parts: 12 };

/**
 * Multipart submissions with a zip: the file is streamed to a temp file under the type's size limit,
 * its central directory inspected, and only then (once the task has its slot) put to S3 at
 * `uploadKey(taskId, name)`. The temp file is removed whatever happens.
 */
export class UploadIntake {
  /** Uploads under way per owner, in this process. */
  private readonly active = new Map<string, number>();

  constructor(
    private readonly store: ObjectStore,
    private readonly catalog: JobCatalog,
    private readonly dir: string,
    /** Uploads one owner may have under way at once (default 2). */
    private readonly perOwner = 2,
  ) {}

  /**
   * Counts an upload of `owner` as under way, before its body is read: 429 past the owner's cap, so one key
   * holder cannot tie up the gateway's disk and connections. Returns the release.
   */
  admit(owner: string): () => void {
    const n = this.active.get(owner) ?? 0;
    if (n >= this.perOwner) throw new TooManyUploads(this.perOwner);
    this.active.set(owner, n + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const left = (this.active.get(owner) ?? 1) - 1;
      if (left > 0) this.active.set(owner, left);
      else this.active.delete(owner);
    };
  }

  /** The size cap while spooling: the type's, when its field came before the file, else the largest. */
  private limitFor(type: unknown): number {
    const def = typeof type === 'string' ? this.catalog.types.get(type) : undefined;
    return def?.upload?.maxBytes ?? this.catalog.maxUploadBytes;
  }

  /** Reads the form; `beforeFile` runs with the `type` field (if it came first) before the file is read. */
  async receive(request: FastifyRequest, beforeFile?: (type: unknown) => Promise<void>): Promise<MultipartForm> {
    // The multipart parser throws a bare error (a 500) on a form it cannot split.
    if (!/;\s*boundary=/i.test(request.headers['content-type'] ?? '')) {
      throw new InvalidRequest('multipart/form-data needs a boundary parameter in its Content-Type (e.g. multipart/form-data; boundary=x)');
    }
    const form: MultipartForm = { fields: {} };
    const cap = this.catalog.maxUploadBytes;
    try {
      for await (const part of request.parts({ limits: { ...FIELD_LIMITS, fileSize: cap + 1 } })) {
        if (part.type === 'field') form.fields[part.fieldname] = part.value;
        else if (part.fieldname === 'file' && !form.file) {
          await beforeFile?.(form.fields.type);
          form.file = await this.spool(part, this.limitFor(form.fields.type));
        }
        else await pipeline(part.file, discardAll());
      }
    } catch (err) {
      await this.discard(form.file);
      throw err;
    }
    return form;
  }

  private async spool(part: MultipartFile, limit: number): Promise<SpooledUpload> {
    const path = join(this.dir, `taskyard-upload-${randomUUID()}.zip`);
    const counter = new SizeLimit(limit);
    if (part.filename?.includes('\u0000')) throw new InvalidParams(nulMessage("the file's name"), nulDetails('/file'));
    const fileName = basename(part.filename || 'upload.zip').slice(0, 200) || 'upload.zip';
    try {
      await pipeline(part.file, counter, createWriteStream(path));
    } catch (err) {
      await rm(path, { force: true });
      throw err;
    }
    return { path, fileName, bytes: counter.bytes, tooLarge: counter.exceeded || part.file.truncated, sha256: counter.hash.digest('hex') };
  }

  /** 413 past the type's upload limit; 422 for anything but a safe zip within its entry limits. */
  async inspect(file: SpooledUpload, def: JobTypeDefinition): Promise<void> {
    const limits = def.upload!;
    if (file.tooLarge || file.bytes > limits.maxBytes) throw new UploadTooLarge(limits.maxBytes);
    try {
      await inspectZip(file.path, limits);
    } catch (err) {
      if (err instanceof ZipRejected) throw new InvalidZip(err.message, { problem: err.problem, ...(err.entry ? { entry: err.entry } : {}) });
      throw err;
    }
  }

  /** Puts the file in S3 once the task has an id; the submission discards it if the task is not stored. */
  stager(file: SpooledUpload): Stager {
    return async (taskId) => {
      const key = uploadKey(taskId, file.fileName);
      await this.store.put(key, createReadStream(file.path), 'application/zip');
      return { params: { uploadKey: key, fileName: file.fileName }, discard: () => this.store.deleteKeys([key]) };
    };
  }

  async discard(file: SpooledUpload | undefined): Promise<void> {
    if (file) await rm(file.path, { force: true });
  }
}
