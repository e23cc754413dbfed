import { createHash, timingSafeEqual } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { ConfigError, type Env } from '@taskyard/config';

export type Role = 'user' | 'admin';

/** Who a request acts for: its key's principal (the owner of the tasks it submits) and role. */
export interface Principal {
  principal: string;
  role: Role;
}

export interface ApiKey extends Principal {
  key: string;
}

function validKey(entry: unknown, where: string): ApiKey {
  const e = entry as Partial<ApiKey> | null;
  if (!e || typeof e.key !== 'string' || e.key.length < 8 || typeof e.principal !== 'string' || !e.principal) {
    throw new ConfigError(`${where}: each key needs "key" (8+ characters) and "principal"`);
  }
  if (e.role !== 'user' && e.role !== 'admin') throw new ConfigError(`${where}: role of ${e.principal} must be "user" or "admin"`);
  return { key: e.key, principal: e.principal, role: e.role };
}

/** `[{key, principal, role}]` as JSON, or the compact `key:principal:role,key:principal:role`. */
export function parseApiKeys(text: string, where: string): ApiKey[] {
  const trimmed = text.trim();
  const entries: unknown[] = trimmed.startsWith('[')
    ? (JSON.parse(trimmed) as unknown[])
    : trimmed.split(',').filter(Boolean).map((item) => {
        const [key, principal, role] = item.trim().split(':');
        return { key, principal, role };
      });
  const keys = entries.map((e) => validKey(e, where));
  if (keys.length === 0) throw new ConfigError(`${where}: no API keys`);
  return keys;
}

/** Keys from TASKYARD_KEYS_FILE, else TASKYARD_API_KEYS. */
export function apiKeysFromEnv(env: Env): ApiKey[] {
  if (env.TASKYARD_KEYS_FILE) return parseApiKeys(readFileSync(env.TASKYARD_KEYS_FILE, 'utf8'), env.TASKYARD_KEYS_FILE);
  if (env.TASKYARD_API_KEYS) return parseApiKeys(env.TASKYARD_API_KEYS, 'TASKYARD_API_KEYS');
  throw new ConfigError('no API keys: set TASKYARD_KEYS_FILE (JSON [{key, principal, role}]) or TASKYARD_API_KEYS');
}

const digest = (key: string): Buffer => createHash('sha256').update(key).digest();

/** Looks keys up by their digest, compared in constant time, so timing tells nothing of a key's prefix. */
export class KeyRing {
  private readonly byDigest = new Map<string, { digest: Buffer; principal: Principal }>();

  constructor(keys: ApiKey[]) {
    for (const k of keys) {
      const d = digest(k.key);
      this.byDigest.set(d.toString('hex'), { digest: d, principal: { principal: k.principal, role: k.role } });
    }
  }

  lookup(key: string): Principal | undefined {
    const d = digest(key);
    const hit = this.byDigest.get(d.toString('hex'));
    return hit && timingSafeEqual(hit.digest, d) ? hit.principal : undefined;
  }
}
