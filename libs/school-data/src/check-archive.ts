import { gunzipSync, gzipSync } from 'node:zlib';

/** A check's archive never unpacks past this: a hostile archive cannot make the validator hold gigabytes. */
export const MAX_UNPACKED_CHECK_BYTES = 4 * 1024 * 1024;

export class CheckUnreadable extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CheckUnreadable';
  }
}

/** A completed check as the pupil's browser sends it in the `archive` property: JSON, gzip, base64. */
export function packCheck(check: unknown): string {
  return gzipSync(JSON.stringify(check)).toString('base64');
}

/** The JSON an archive holds; `CheckUnreadable` for anything that is not base64 of gzip of JSON within the size limit. */
export function unpackCheck(archive: string): unknown {
  let json: Buffer;
  try {
    json = gunzipSync(Buffer.from(archive, 'base64'), { maxOutputLength: MAX_UNPACKED_CHECK_BYTES });
  } catch (err) {
    throw new CheckUnreadable(`the archive does not decompress: ${(err as Error).message}`);
  }
  try {
    return JSON.parse(json.toString('utf8')) as unknown;
  } catch {
    throw new CheckUnreadable('the archive does not hold JSON');
  }
}
