import { PassThrough, Readable } from 'node:stream';
import {
  DeleteObjectsCommand,
  GetObjectCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import type { S3Settings } from '@taskyard/config';

export const artifactKey = (type: string, taskId: string, name: string): string => `artifacts/${type}/${taskId}/${name}`;
export const uploadKey = (taskId: string, fileName: string): string => `uploads/${taskId}/${fileName.replace(/[^A-Za-z0-9._-]/g, '_')}`;

/** Counts the bytes that pass through, for streams whose length is not known in advance. */
function counting(body: Readable): { stream: PassThrough; size: () => number } {
  let size = 0;
  const stream = new PassThrough();
  body.on('data', (chunk: Buffer) => {
    size += chunk.length;
  });
  body.on('error', (err) => stream.destroy(err));
  body.pipe(stream);
  return { stream, size: () => size };
}

/** The bucket the platform keeps artifacts and uploads in. */
export class ObjectStore {
  readonly client: S3Client;
  readonly bucket: string;

  constructor(settings: S3Settings) {
    this.bucket = settings.bucket;
    this.client = new S3Client({
      endpoint: settings.endpoint,
      region: settings.region,
      forcePathStyle: settings.forcePathStyle,
      credentials: staticCredentials(settings),
      // Deadlines: a connection that will not open, or a request silent for a minute, fails instead of hanging.
      requestHandler: { connectionTimeout: 5_000, requestTimeout: 60_000 },
      maxAttempts: 3,
    });
  }

  /** Stores a buffer, string or stream (streamed in parts, in bounded memory). Returns the size stored. */
  async put(key: string, body: Buffer | string | Readable, contentType: string, signal?: AbortSignal): Promise<number> {
    if (typeof body === 'string' || Buffer.isBuffer(body)) {
      const buf = typeof body === 'string' ? Buffer.from(body) : body;
      await new Upload({ client: this.client, params: { Bucket: this.bucket, Key: key, Body: buf, ContentType: contentType } }).done();
      return buf.length;
    }
    const counted = counting(body);
    const upload = new Upload({
      client: this.client,
      params: { Bucket: this.bucket, Key: key, Body: counted.stream, ContentType: contentType },
      queueSize: 2,
      partSize: 8 * 1024 * 1024,
    });
    const abort = (): void => void upload.abort();
    signal?.addEventListener('abort', abort, { once: true });
    try {
      await upload.done();
    } finally {
      signal?.removeEventListener('abort', abort);
    }
    return counted.size();
  }

  async getStream(key: string, signal?: AbortSignal): Promise<Readable> {
    const res = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: key }), { abortSignal: signal });
    return res.Body as Readable;
  }

  async getBuffer(key: string, signal?: AbortSignal): Promise<Buffer> {
    const res = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: key }), { abortSignal: signal });
    return Buffer.from(await res.Body!.transformToByteArray());
  }

  async size(key: string): Promise<number | undefined> {
    try {
      const res = await this.client.send(new HeadObjectCommand({ Bucket: this.bucket, Key: key }));
      return res.ContentLength;
    } catch (err) {
      if ((err as { name?: string }).name === 'NotFound') return undefined;
      throw err;
    }
  }

  /** Size and content type of a stored object, or undefined when there is none. */
  async head(key: string): Promise<{ size: number; contentType: string } | undefined> {
    try {
      const res = await this.client.send(new HeadObjectCommand({ Bucket: this.bucket, Key: key }));
      return { size: res.ContentLength ?? 0, contentType: res.ContentType ?? 'application/octet-stream' };
    } catch (err) {
      if ((err as { name?: string }).name === 'NotFound') return undefined;
      throw err;
    }
  }

  /** A short-lived URL an outside processor can PUT one file's bytes to, with this Content-Type. */
  presignPut(key: string, expiresInSeconds: number, contentType: string): Promise<string> {
    return getSignedUrl(this.client, new PutObjectCommand({ Bucket: this.bucket, Key: key, ContentType: contentType }), {
      expiresIn: expiresInSeconds,
    });
  }

  /** A short-lived URL a browser can GET without credentials. */
  presign(key: string, expiresInSeconds: number, downloadName?: string): Promise<string> {
    return getSignedUrl(
      this.client,
      new GetObjectCommand({
        Bucket: this.bucket,
        Key: key,
        ...(downloadName ? { ResponseContentDisposition: `attachment; filename="${downloadName.replace(/"/g, '')}"` } : {}),
      }),
      { expiresIn: expiresInSeconds },
    );
  }

  async deleteKeys(keys: string[]): Promise<void> {
    for (let i = 0; i < keys.length; i += 1000) {
      const batch = keys.slice(i, i + 1000).map((Key) => ({ Key }));
      if (batch.length) await this.client.send(new DeleteObjectsCommand({ Bucket: this.bucket, Delete: { Objects: batch, Quiet: true } }));
    }
  }

  async deletePrefix(prefix: string): Promise<number> {
    let deleted = 0;
    for (;;) {
      const page = await this.client.send(new ListObjectsV2Command({ Bucket: this.bucket, Prefix: prefix, MaxKeys: 1000 }));
      const keys = (page.Contents ?? []).map((o) => o.Key!).filter(Boolean);
      if (keys.length === 0) return deleted;
      await this.deleteKeys(keys);
      deleted += keys.length;
    }
  }

  /** Readiness: the bucket answers. */
  async ping(): Promise<boolean> {
    await this.client.send(new HeadBucketCommand({ Bucket: this.bucket }));
    return true;
  }

  close(): void {
    this.client.destroy();
  }
}

export { Readable };

/** The settings' keys when both are given; otherwise undefined, so the SDK resolves its standard chain. */
export function staticCredentials(s: Pick<S3Settings, 'accessKeyId' | 'secretAccessKey'>): { accessKeyId: string; secretAccessKey: string } | undefined {
  return s.accessKeyId && s.secretAccessKey ? { accessKeyId: s.accessKeyId, secretAccessKey: s.secretAccessKey } : undefined;
}
