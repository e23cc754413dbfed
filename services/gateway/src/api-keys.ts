import { hash, timingSafeEqual } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { ConfigError, type Env } from '@taskyard/config';

/** `processor`: an HTTP processor of external job types (claims tasks and reports on them). */
export type Role = 'user' | 'admin' | 'processor';
const ROLES: readonly Role[] = ['user', 'admin', 'processor'];

/** Who a request acts for: its key's principal (the owner of the tasks it submits) and role. */
export interface Principal {
  principal: string;
  role: Role;
  /** Which key it came with (for rate limits and "last used"): a managed key's id, or `bootstrap-<digest prefix>`. */
  keyId?: string;
  /** The only tags (tenants) the key may submit and see; absent: every tag. */
  tags?: string[];
  /** The key's cap on submissions per minute; absent: none. */
  submitsPerMinute?: number;
}

export interface ApiKey extends Principal {
  key: string;
}

function validKey(entry: unknown, where: string): ApiKey {
  const e = entry as Partial<ApiKey> | null;
  if (!e || typeof e.key !== 'string' || e.key.length < 8 || typeof e.principal !== 'string' || !e.principal) {
    throw new ConfigError(`${where}: each key needs "key" (8+ characters) and "principal"`);
  }
  if (!ROLES.includes(e.role as Role)) throw new ConfigError(`${where}: role of ${e.principal} must be one of ${ROLES.join(', ')}`);
  if (e.tags !== undefined && (!Array.isArray(e.tags) || e.tags.some((t) => typeof t !== 'string' || !t))) throw new ConfigError(`${where}: tags of ${e.principal} must be a list of names`);
  if (e.submitsPerMinute !== undefined && !(Number.isInteger(e.submitsPerMinute) && e.submitsPerMinute > 0)) {
    throw new ConfigError(`${where}: submitsPerMinute of ${e.principal} must be a positive whole number`);
  }
  return { key: e.key, principal: e.principal, role: e.role as Role, tags: e.tags, submitsPerMinute: e.submitsPerMinute };
}

/** `[{key, principal, role, tags?, submitsPerMinute?}]` as JSON, or the compact `key:principal:role,key:principal:role`. */
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

// One-shot: createHash's object per call cost twice as much, on every request.
export const digest = (key: string): Buffer => hash('sha256', key, 'buffer');

/** Something that tells who an API key belongs to (the configured keys, the managed ones, or both). */
export interface KeyLookup {
  lookup(key: string): Principal | undefined | Promise<Principal | undefined>;
}

/**
 * The keys from configuration (the bootstrap keys). Looks them up by their digest, compared in constant
 * time, so timing tells nothing of a key's prefix.
 */
export class KeyRing implements KeyLookup {
  private readonly byDigest = new Map<string, { digest: Buffer; principal: Principal }>();

  constructor(keys: ApiKey[]) {
    for (const k of keys) {
      const d = digest(k.key);
      const principal: Principal = { principal: k.principal, role: k.role, keyId: `bootstrap-${d.toString('hex').slice(0, 12)}` };
      if (k.tags) principal.tags = k.tags;
      if (k.submitsPerMinute) principal.submitsPerMinute = k.submitsPerMinute;
      this.byDigest.set(d.toString('hex'), { digest: d, principal });
    }
  }

  lookup(key: string): Principal | undefined {
    const d = digest(key);
    const hit = this.byDigest.get(d.toString('hex'));
    return hit && timingSafeEqual(hit.digest, d) ? hit.principal : undefined;
  }
}
