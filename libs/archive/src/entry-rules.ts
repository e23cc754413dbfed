import type { Entry } from 'yauzl';

/** Unix file-type bits of an entry's external attributes (the high 16 bits, when made on Unix). */
const S_IFMT = 0o170000;
const S_IFLNK = 0o120000;

/**
 * Why an entry's path is unsafe to extract, or null when it is fine. Checked on the raw name (backslashes
 * count as separators) so a zip made on Windows cannot smuggle `..\..\x` past a check made for `/`.
 */
export function unsafePathReason(name: string): string | null {
  if (name.length === 0) return 'an entry has an empty name';
  if (name.includes('\0')) return `entry "${name}" has a NUL character in its name`;
  const normal = name.replace(/\\/g, '/');
  if (normal.startsWith('/') || /^[a-zA-Z]:/.test(normal)) return `entry "${name}" has an absolute path`;
  if (normal.split('/').includes('..')) return `entry "${name}" has a ".." path segment`;
  return null;
}

/** True when the entry is a symbolic link (extracting it could point outside the work dir). */
export function isSymlink(entry: Pick<Entry, 'externalFileAttributes'>): boolean {
  return ((entry.externalFileAttributes >>> 16) & S_IFMT) === S_IFLNK;
}

export const isDirectory = (name: string): boolean => name.endsWith('/') || name.endsWith('\\');
