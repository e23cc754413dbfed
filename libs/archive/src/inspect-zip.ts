import yauzl, { type Entry, type ZipFile } from 'yauzl';
import { isDirectory, isSymlink, unsafePathReason } from './entry-rules';
import { ZipRejected } from './zip-rejected';

export interface ZipLimits {
  maxEntries: number;
  /** Largest total of the entries' declared uncompressed sizes. */
  maxUncompressedBytes: number;
}

export interface ZipEntryInfo {
  name: string;
  uncompressedSize: number;
  compressedSize: number;
  directory: boolean;
}

export interface ZipSummary {
  entries: ZipEntryInfo[];
  uncompressedBytes: number;
}

function open(path: string): Promise<ZipFile> {
  // decodeStrings off: yauzl would reject unsafe names with its own wording; we name the problem ourselves.
  return new Promise((resolve, reject) => {
    yauzl.open(path, { lazyEntries: true, autoClose: true, decodeStrings: false }, (err, zip) => {
      if (err || !zip) reject(new ZipRejected('not-a-zip', `not a readable zip file: ${err?.message ?? 'unknown error'}`));
      else resolve(zip);
    });
  });
}

function entryName(entry: Entry): string {
  return yauzl.getFileNameLowLevel(entry.generalPurposeBitFlag, entry.fileNameRaw, entry.extraFields, false);
}

function check(entry: Entry, name: string, summary: ZipSummary, limits: ZipLimits): void {
  const unsafe = unsafePathReason(name);
  if (unsafe) throw new ZipRejected('unsafe-path', unsafe, name);
  if (isSymlink(entry)) throw new ZipRejected('symlink', `entry "${name}" is a symbolic link`, name);
  if (summary.entries.length > limits.maxEntries) {
    throw new ZipRejected('too-many-entries', `the zip has more than ${limits.maxEntries} entries`);
  }
  if (summary.uncompressedBytes > limits.maxUncompressedBytes) {
    throw new ZipRejected('too-large-uncompressed', `the zip's entries uncompress to more than ${limits.maxUncompressedBytes} bytes`);
  }
}

/**
 * Reads a zip's central directory only (no entry is decompressed) and refuses it when it is not a zip, an
 * entry path is absolute or climbs out with `..`, an entry is a symlink, or the entry count or declared
 * uncompressed total passes the limits. Whoever extracts must still enforce the sizes on the real bytes
 * (yauzl's validateEntrySizes does), since a central directory can lie.
 */
export async function inspectZip(path: string, limits: ZipLimits): Promise<ZipSummary> {
  const zip = await open(path);
  if (zip.entryCount > limits.maxEntries) {
    zip.close();
    throw new ZipRejected('too-many-entries', `the zip has ${zip.entryCount} entries; at most ${limits.maxEntries} are allowed`);
  }
  const summary: ZipSummary = { entries: [], uncompressedBytes: 0 };
  return new Promise<ZipSummary>((resolve, reject) => {
    const fail = (err: unknown): void => {
      zip.close();
      reject(err instanceof ZipRejected ? err : new ZipRejected('not-a-zip', `not a readable zip file: ${(err as Error).message}`));
    };
    zip.on('entry', (entry: Entry) => {
      try {
        const name = entryName(entry);
        summary.entries.push({ name, uncompressedSize: entry.uncompressedSize, compressedSize: entry.compressedSize, directory: isDirectory(name) });
        summary.uncompressedBytes += entry.uncompressedSize;
        check(entry, name, summary, limits);
        zip.readEntry();
      } catch (err) {
        fail(err);
      }
    });
    zip.on('error', fail);
    zip.on('end', () => resolve(summary));
    zip.readEntry();
  });
}
