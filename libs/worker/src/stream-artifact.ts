import { PassThrough, type Writable } from 'node:stream';
import type { ArtifactRef } from '@taskyard/contracts';
import type { JobContext } from './job-context';

/**
 * Streams an artifact to S3 while `produce` writes it, so a large file never sits in memory. If the
 * producer fails, the upload is abandoned and the producer's error is the one thrown.
 */
export async function streamArtifact(
  ctx: Pick<JobContext<unknown>, 'artifacts'>,
  name: string,
  contentType: string,
  produce: (out: Writable) => Promise<void>,
): Promise<ArtifactRef> {
  const out = new PassThrough();
  const upload = ctx.artifacts.write(name, out, contentType);
  // If the upload fails first, the producer's next write errors; the upload's error is then reported.
  upload.catch((err: unknown) => out.destroy(err instanceof Error ? err : new Error(String(err))));
  try {
    await produce(out);
    if (!out.writableEnded) out.end();
  } catch (err) {
    out.destroy(err instanceof Error ? err : new Error(String(err)));
    await upload.catch(() => undefined);
    throw err;
  }
  return upload;
}
