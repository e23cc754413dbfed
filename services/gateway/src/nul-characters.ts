/**
 * U+0000 (NUL) in a string a user gives: the database refuses it in any stored or filtered string (a 500
 * before this), so every one is refused up front with a 400 naming where it is.
 */

const NUL = '\u0000';

const describeKey = (key: string): string => JSON.stringify(key).slice(1, -1);

/**
 * The JSON-pointer-like path of the first string or object key holding U+0000 in a parsed value
 * (`/params/schoolId`; `''` for the value itself), or undefined. Iterative: a deeply nested body cannot
 * exhaust the stack, and the body limit bounds the work.
 */
export function nulPath(value: unknown): string | undefined {
  const pending: [unknown, string][] = [[value, '']];
  for (let next = pending.pop(); next; next = pending.pop()) {
    const [item, path] = next;
    if (typeof item === 'string') {
      if (item.includes(NUL)) return path;
      continue;
    }
    if (item === null || typeof item !== 'object') continue;
    for (const [key, child] of Object.entries(item)) {
      if (key.includes(NUL)) return `${path}/${describeKey(key)}`;
      pending.push([child, `${path}/${key}`]);
    }
  }
  return undefined;
}

/** Ajv-shaped details, so clients that map `instancePath` to a field (the console) show it there. */
export function nulDetails(path: string): { instancePath: string; keyword: string; message: string }[] {
  return [{ instancePath: path, keyword: 'nul', message: 'must not contain U+0000 (a NUL character)' }];
}

export const nulMessage = (where: string): string => `${where} must not contain U+0000 (a NUL character)`;
