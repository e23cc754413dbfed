import AdmZip from 'adm-zip';

/** Zips for the import tests, good and hostile. adm-zip cleans names it is given, so hostile ones are patched in. */
export type Files = Record<string, string | Buffer>;

export function zipOf(files: Files): Buffer {
  const zip = new AdmZip();
  for (const [name, body] of Object.entries(files)) zip.addFile(name, Buffer.isBuffer(body) ? body : Buffer.from(body));
  return zip.toBuffer();
}

/** A zip whose entry carries `hostile` as its name (same length as a safe placeholder, patched in the bytes). */
export function zipWithRawName(hostile: string, body = 'pupil_id\n'): Buffer {
  const safe = 'a'.repeat(hostile.length);
  const bytes = zipOf({ 'pupils.csv': 'pupil_id,school_id,class_id,given_name,family_name\n', [safe]: body });
  return Buffer.from(bytes.toString('latin1').split(safe).join(hostile), 'latin1');
}

export function zipWithSymlink(): Buffer {
  const zip = new AdmZip();
  zip.addFile('pupils.csv', Buffer.from('pupil_id,school_id,class_id,given_name,family_name\n'));
  zip.addFile('classes.csv', Buffer.from('/etc/passwd')).attr = (0o120777 << 16) >>> 0;
  return zip.toBuffer();
}

const CENTRAL = 0x02014b50;
const LOCAL = 0x04034b50;

/** Rewrites every entry's declared uncompressed size (local and central headers) to `size`. */
export function withDeclaredSize(zip: Buffer, size: number): Buffer {
  const out = Buffer.from(zip);
  for (let i = 0; i + 4 <= out.length; i++) {
    const sig = out.readUInt32LE(i);
    if (sig === CENTRAL) out.writeUInt32LE(size, i + 24);
    else if (sig === LOCAL) out.writeUInt32LE(size, i + 22);
  }
  return out;
}
