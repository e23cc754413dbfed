import { createWriteStream } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import type { ObjectStore } from '@taskyard/storage';
import { PermanentJobError } from '@taskyard/worker';

/** Streams the uploaded zip from S3 to a file (yauzl reads a zip by random access, so it needs one). */
export async function fetchUpload(store: ObjectStore, key: string, path: string, signal: AbortSignal): Promise<number> {
  let body;
  try {
    body = await store.getStream(key, signal);
  } catch (err) {
    const name = (err as { name?: string }).name;
    if (name === 'NoSuchKey' || name === 'NotFound') throw new PermanentJobError('upload-missing', `the uploaded file ${key} is not in storage (already imported or expired)`);
    throw err;
  }
  let bytes = 0;
  body.on('data', (chunk: Buffer) => (bytes += chunk.length));
  await pipeline(body, createWriteStream(path, { mode: 0o600 }), { signal });
  return bytes;
}
