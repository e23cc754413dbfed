import { createWriteStream } from 'node:fs';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import yauzl, { type Entry, type ZipFile } from 'yauzl';
import { isDirectory } from '@taskyard/archive';
import { PermanentJobError } from '@taskyard/worker';
import { knownFileOf, type KnownFile } from './known-files';

export interface Extracted {
  /** Known files written to inbound/, by name. */
  files: Map<KnownFile, { path: string; bytes: number; entry: string }>;
  /** Entries that feed no import: reported, not fatal. */
  unknown: string[];
  /** A second entry with a known name (in another folder): reported and skipped. */
  duplicates: string[];
}

function open(path: string): Promise<ZipFile> {
  return new Promise((resolve, reject) =>
    // validateEntrySizes (yauzl's default) fails an entry whose real bytes differ from its declared size,
    // so a central directory that under-declares (a bomb in disguise) cannot pass the checked total.
    yauzl.open(path, { lazyEntries: true, autoClose: true, decodeStrings: false, validateEntrySizes: true }, (err, zip) =>
      err || !zip ? reject(err ?? new Error('unreadable zip')) : resolve(zip),
    ),
  );
}

function readStream(zip: ZipFile, entry: Entry): Promise<NodeJS.ReadableStream> {
  return new Promise((resolve, reject) => zip.openReadStream(entry, (err, stream) => (err || !stream ? reject(err ?? new Error('no stream')) : resolve(stream))));
}

const nameOf = (entry: Entry): string => yauzl.getFileNameLowLevel(entry.generalPurposeBitFlag, entry.fileNameRaw, entry.extraFields, false);

/**
 * Extracts the known files into `inbound/` under their own fixed names (never a path taken from the
 * zip), one entry at a time, streaming: memory stays flat whatever the archive's size. A known file
 * larger than `maxFileBytes` uncompressed fails the import for good before a byte of it is written (its
 * declared size is checked, and yauzl holds the real bytes to it). Call only on a zip inspectZip passed.
 */
export async function extractKnownFiles(zipPath: string, inbound: string, signal: AbortSignal, maxFileBytes: number): Promise<Extracted> {
  const out: Extracted = { files: new Map(), unknown: [], duplicates: [] };
  const zip = await open(zipPath);
  try {
    await new Promise<void>((resolve, reject) => {
      zip.on('error', reject);
      zip.on('end', resolve);
      zip.on('entry', (entry: Entry) => {
        void (async () => {
          const name = nameOf(entry);
          const known = knownFileOf(name);
          if (isDirectory(name)) {
            // nothing to extract
          } else if (!known) {
            out.unknown.push(name);
          } else if (out.files.has(known)) {
            out.duplicates.push(name);
          } else if (entry.uncompressedSize > maxFileBytes) {
            throw new PermanentJobError('file-too-large', `${name} is ${entry.uncompressedSize} bytes uncompressed; at most ${maxFileBytes} bytes per file`);
          } else {
            const path = join(inbound, known);
            await pipeline(await readStream(zip, entry), createWriteStream(path, { mode: 0o600 }), { signal });
            out.files.set(known, { path, bytes: entry.uncompressedSize, entry: name });
          }
          zip.readEntry();
        })().catch(reject);
      });
      zip.readEntry();
    });
  } catch (err) {
    zip.close();
    if (signal.aborted || err instanceof PermanentJobError) throw err;
    throw new PermanentJobError('corrupt-zip', `the zip could not be extracted: ${(err as Error).message}`);
  }
  return out;
}
