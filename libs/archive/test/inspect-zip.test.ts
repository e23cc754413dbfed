import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import AdmZip from 'adm-zip';
import { inspectZip, ZipRejected, type ZipProblem } from '../src';

const dir = mkdtempSync(join(tmpdir(), 'archive-test-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const limits = { maxEntries: 5, maxUncompressedBytes: 10_000 };
let n = 0;

function zipFile(build: (zip: AdmZip) => void): string {
  const zip = new AdmZip();
  build(zip);
  const path = join(dir, `z${n++}.zip`);
  zip.writeZip(path);
  return path;
}

/** adm-zip cleans the names it is given; a hostile zip is not so kind, so a same-length name is patched in afterwards. */
function withRawName(hostile: string): string {
  const safe = 'a'.repeat(hostile.length);
  const path = zipFile((z) => z.addFile(safe, Buffer.from('x')));
  writeFileSync(path, Buffer.from(readFileSync(path).toString('latin1').split(safe).join(hostile), 'latin1'));
  return path;
}

async function problemOf(path: string): Promise<ZipProblem> {
  const err = await inspectZip(path, limits).then(() => undefined, (e: unknown) => e);
  expect(err).toBeInstanceOf(ZipRejected);
  return (err as ZipRejected).problem;
}

test('accepts a plain zip and sums its entries', async () => {
  const path = zipFile((z) => {
    z.addFile('pupils.csv', Buffer.from('id,name\n1,Ann\n'));
    z.addFile('data/classes.csv', Buffer.from('id\n1\n'));
  });
  const summary = await inspectZip(path, limits);
  expect(summary.entries.map((e) => e.name).sort()).toEqual(['data/classes.csv', 'pupils.csv']);
  expect(summary.uncompressedBytes).toBe(19);
});

test('refuses what is not a zip', async () => {
  const path = join(dir, 'not.zip');
  writeFileSync(path, 'hello, I am text');
  expect(await problemOf(path)).toBe('not-a-zip');
});

test('refuses absolute and climbing paths', async () => {
  expect(await problemOf(withRawName('/etc/passwd'))).toBe('unsafe-path');
  expect(await problemOf(withRawName('C:/x/evil.txt'))).toBe('unsafe-path');
  expect(await problemOf(withRawName('x/../../e.txt'))).toBe('unsafe-path');
  expect(await problemOf(withRawName('..\\..\\e.txt'))).toBe('unsafe-path');
});

test('refuses symlink entries', async () => {
  const path = zipFile((z) => {
    // adm-zip keeps only the permission bits it is given; the file type is set on the entry afterwards.
    z.addFile('link', Buffer.from('/etc/passwd')).attr = (0o120777 << 16) >>> 0;
  });
  expect(await problemOf(path)).toBe('symlink');
});

test('refuses too many entries and too large a total', async () => {
  expect(await problemOf(zipFile((z) => { for (let i = 0; i < 6; i++) z.addFile(`f${i}.csv`, Buffer.from('1')); }))).toBe('too-many-entries');
  expect(await problemOf(zipFile((z) => z.addFile('big.csv', Buffer.alloc(20_000, 0x61))))).toBe('too-large-uncompressed');
});
