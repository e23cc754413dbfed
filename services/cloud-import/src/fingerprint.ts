import { hash } from 'node:crypto';

type WithToJson = { toJSON(key?: string): unknown };
const hasToJson = (v: object): v is WithToJson => typeof (v as Partial<WithToJson>).toJSON === 'function';

/** Every key of every object in `value`, as JSON.stringify sees it (after toJSON). */
function collectKeys(value: unknown, keys: Set<string>): void {
  if (value === null || typeof value !== 'object') return;
  const v: unknown = hasToJson(value) ? value.toJSON() : value;
  if (v === null || typeof v !== 'object') return;
  if (Array.isArray(v)) {
    for (const item of v) collectKeys(item, keys);
    return;
  }
  for (const [key, item] of Object.entries(v)) {
    keys.add(key);
    collectKeys(item, keys);
  }
}

/**
 * A document's content as a short fingerprint: keys sorted, so field order never makes two equal
 * documents differ. JSON.stringify given a list of keys writes every object's keys in the list's order:
 * the list of all keys, sorted, is a canonical form without a sorted copy of each object (the copies
 * made the re-run of an import spend as much CPU on fingerprints as on reading the documents).
 */
export function fingerprint(doc: object): string {
  const keys = new Set<string>();
  collectKeys(doc, keys);
  return hash('sha1', JSON.stringify(doc, [...keys].sort()), 'base64');
}
