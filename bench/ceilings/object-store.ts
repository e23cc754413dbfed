import { randomBytes } from 'node:crypto';
import { DeleteObjectsCommand, GetObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import type { S3Settings } from '@taskyard/config';
import { staticCredentials } from '@taskyard/storage';
import { round, runCount, type Rate } from '../lib/rate';

export interface ObjectSizeCeiling {
  bytes: number;
  objects: number;
  concurrency: number;
  put: Rate;
  get: Rate;
  /** Decimal megabytes (10^6 bytes) per second, the figure that matters for big objects. */
  putMBps: number;
  getMBps: number;
}

export interface ObjectStoreCeilings {
  bucket: string;
  prefix: string;
  small: ObjectSizeCeiling;
  large: ObjectSizeCeiling;
}

export interface ObjectStoreOptions {
  smallObjects?: number;
  smallConcurrency?: number;
  largeObjects?: number;
  largeConcurrency?: number;
}

const MB = 1_000_000;

async function putAndGet(s3: S3Client, bucket: string, prefix: string, bytes: number, objects: number, concurrency: number): Promise<ObjectSizeCeiling> {
  const body = randomBytes(bytes);
  const key = (i: number): string => `${prefix}${bytes}/${i}`;
  // Untimed warm-up: opens the sockets and loads the SDK's lazy parts, which a long-running service has done already.
  await runCount(concurrency, concurrency, (i) => s3.send(new PutObjectCommand({ Bucket: bucket, Key: `${prefix}warm-up/${i}`, Body: 'x' })));
  // A plain PutObject per object: a single request is the bare cost, without multipart's extra round trips.
  const put = await runCount(objects, concurrency, (i) => s3.send(new PutObjectCommand({ Bucket: bucket, Key: key(i), Body: body })));
  const get = await runCount(objects, concurrency, async (i) => {
    const res = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key(i) }));
    // Read the whole body: the transfer is what is being timed, not just the headers.
    const got = await res.Body!.transformToByteArray();
    if (got.length !== bytes) throw new Error(`${key(i)}: got ${got.length} bytes, expected ${bytes}`);
  });
  const mbps = (r: Rate): number => round((r.perSecond * bytes) / MB, 1);
  return { bytes, objects, concurrency, put, get, putMBps: mbps(put), getMBps: mbps(get) };
}

async function deletePrefix(s3: S3Client, bucket: string, prefix: string): Promise<void> {
  for (;;) {
    const listed = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix }));
    const keys = (listed.Contents ?? []).flatMap((o) => (o.Key ? [{ Key: o.Key }] : []));
    if (keys.length === 0) return;
    await s3.send(new DeleteObjectsCommand({ Bucket: bucket, Delete: { Objects: keys, Quiet: true } }));
  }
}

/** Puts then gets small and large objects under a scratch prefix of the bucket, deleted afterwards. */
export async function measureObjectStore(settings: S3Settings, opts: ObjectStoreOptions = {}): Promise<ObjectStoreCeilings> {
  // Configured as the product's ObjectStore configures its client.
  const s3 = new S3Client({
    endpoint: settings.endpoint,
    region: settings.region,
    forcePathStyle: true,
    credentials: staticCredentials(settings),
  });
  const prefix = `bench-ceilings/${randomBytes(4).toString('hex')}/`;
  try {
    const small = await putAndGet(s3, settings.bucket, prefix, 1024, opts.smallObjects ?? 500, opts.smallConcurrency ?? 16);
    const large = await putAndGet(s3, settings.bucket, prefix, 10 * MB, opts.largeObjects ?? 16, opts.largeConcurrency ?? 2);
    return { bucket: settings.bucket, prefix, small, large };
  } finally {
    await deletePrefix(s3, settings.bucket, prefix);
    s3.destroy();
  }
}
