import { randomBytes } from 'node:crypto';
import mongoose, { type Connection, type Model } from 'mongoose';
import { LRUCache } from 'lru-cache';
import type { Logger } from '@taskyard/logging';
import type { ApiKeyView, NewApiKey } from '@taskyard/contracts';
import { digest, type KeyLookup, type Principal } from './api-keys';
import { ApiKeyNotFound } from './errors';

/** An API key an admin created through the API. Only the key's SHA-256 is stored; the key is shown once. */
export interface ManagedKeyRecord extends NewKey {
  /** The key's public id (`key_…`): what lists show and revocation names. */
  _id: string;
  /** Hex SHA-256 of the key: what a request's key is looked up by (unique index). */
  hash: string;
  prefix: string;
  createdAt: Date;
  createdBy: string;
  lastUsedAt?: Date;
}

export type NewKey = NewApiKey;
export type KeyView = ApiKeyView;

const keySchema = new mongoose.Schema<ManagedKeyRecord>(
  {
    _id: String,
    hash: { type: String, required: true },
    prefix: String,
    principal: String,
    role: String,
    tags: { type: [String], default: undefined },
    submitsPerMinute: Number,
    label: String,
    createdAt: Date,
    createdBy: String,
    lastUsedAt: Date,
  },
  { versionKey: false, collection: 'api_keys' },
);
keySchema.index({ hash: 1 }, { unique: true });

/** How long a gateway trusts what it read about a key: a revocation reaches every replica within this. */
export const DEFAULT_KEY_CACHE_MS = 10_000;
/** Keys remembered (known and unknown) per gateway. */
export const DEFAULT_KEY_CACHE_SIZE = 10_000;
/** "Last used" is written at most this often per key and gateway: one write a minute, not one per request. */
export const DEFAULT_LAST_USED_EVERY_MS = 60_000;
/** A list shows at most this many keys (revoked keys are deleted, so these are the live ones). */
export const MAX_LISTED_KEYS = 1000;

export interface ManagedKeysConfig {
  cacheMs: number;
  cacheSize: number;
  lastUsedEveryMs: number;
  dbTimeoutMs: number;
}

const DEFAULTS: ManagedKeysConfig = {
  cacheMs: DEFAULT_KEY_CACHE_MS,
  cacheSize: DEFAULT_KEY_CACHE_SIZE,
  lastUsedEveryMs: DEFAULT_LAST_USED_EVERY_MS,
  dbTimeoutMs: 5000,
};

/** A lookup's answer as cached: `null` remembers that no key has this hash. */
type Cached = { principal: Principal } | null;

function principalOf(r: ManagedKeyRecord): Principal {
  const p: Principal = { principal: r.principal, role: r.role, keyId: r._id };
  if (r.tags?.length) p.tags = r.tags;
  if (r.submitsPerMinute) p.submitsPerMinute = r.submitsPerMinute;
  return p;
}

export function keyView(r: ManagedKeyRecord): KeyView {
  return {
    id: r._id,
    prefix: r.prefix,
    principal: r.principal,
    role: r.role,
    ...(r.tags?.length ? { tags: r.tags } : {}),
    ...(r.submitsPerMinute ? { submitsPerMinute: r.submitsPerMinute } : {}),
    ...(r.label ? { label: r.label } : {}),
    createdAt: new Date(r.createdAt).toISOString(),
    createdBy: r.createdBy,
    lastUsedAt: r.lastUsedAt ? new Date(r.lastUsedAt).toISOString() : null,
  };
}

/**
 * The API keys admins manage, in the database: effective on every gateway without a restart. A request's
 * key is found by its hash (an equality an index serves), and the answer is cached briefly so the hot path
 * does not read the database per request.
 */
export class ManagedKeys implements KeyLookup {
  readonly Key: Model<ManagedKeyRecord>;
  private readonly config: ManagedKeysConfig;
  private readonly cache: LRUCache<string, { v: Cached }>;
  private readonly lastWritten = new Map<string, number>();

  constructor(
    conn: Connection,
    private readonly logger: Logger,
    config: Partial<ManagedKeysConfig> = {},
  ) {
    this.Key = conn.models.ApiKey ?? conn.model<ManagedKeyRecord>('ApiKey', keySchema);
    this.config = { ...DEFAULTS, ...config };
    this.cache = new LRUCache({ max: this.config.cacheSize, ttl: this.config.cacheMs });
  }

  async ensureIndexes(): Promise<void> {
    await this.Key.createIndexes();
  }

  /** Creates a key; the answer holds the key itself, which is never shown again. */
  async create(req: NewKey, by: string): Promise<{ key: string; view: KeyView }> {
    const key = `ty_${req.role}_${randomBytes(24).toString('base64url')}`;
    const hash = digest(key).toString('hex');
    const record: ManagedKeyRecord = {
      _id: `key_${randomBytes(8).toString('hex')}`,
      hash,
      prefix: key.slice(0, 12),
      principal: req.principal,
      role: req.role,
      ...(req.tags?.length ? { tags: [...new Set(req.tags)] } : {}),
      ...(req.submitsPerMinute ? { submitsPerMinute: req.submitsPerMinute } : {}),
      ...(req.label ? { label: req.label } : {}),
      createdAt: new Date(),
      createdBy: by,
    };
    await this.Key.collection.insertOne(record as never);
    // A lookup of this hash before it existed may have been remembered as unknown.
    this.cache.delete(hash);
    return { key, view: keyView(record) };
  }

  async list(): Promise<KeyView[]> {
    const rows = await this.Key.find({}).limit(MAX_LISTED_KEYS).maxTimeMS(this.config.dbTimeoutMs).lean<ManagedKeyRecord[]>().exec();
    return rows.sort((a, b) => new Date(b.createdAt).getTime() - new Date(a.createdAt).getTime()).map(keyView);
  }

  /** Deletes the key: at once on this gateway, within the cache time on the others. */
  async revoke(id: string): Promise<KeyView> {
    const record = await this.Key.findOne({ _id: id }).maxTimeMS(this.config.dbTimeoutMs).lean<ManagedKeyRecord>().exec();
    // The delete decides a race of two revocations: only one sees its document go.
    const { deletedCount } = record ? await this.Key.collection.deleteOne({ _id: id } as never) : { deletedCount: 0 };
    if (!record || deletedCount === 0) throw new ApiKeyNotFound(id);
    this.cache.delete(record.hash);
    this.lastWritten.delete(record._id);
    return keyView(record);
  }

  async lookup(key: string): Promise<Principal | undefined> {
    const hash = digest(key).toString('hex');
    let hit = this.cache.get(hash);
    if (!hit) {
      const record = await this.Key.findOne({ hash }).maxTimeMS(this.config.dbTimeoutMs).lean<ManagedKeyRecord>().exec();
      hit = { v: record ? { principal: principalOf(record) } : null };
      this.cache.set(hash, hit);
    }
    if (!hit.v) return undefined;
    this.touch(hit.v.principal.keyId!);
    return hit.v.principal;
  }

  /** Records "last used", at most once a minute per key from this gateway, never delaying the request. */
  private touch(id: string): void {
    const now = Date.now();
    if (now - (this.lastWritten.get(id) ?? 0) < this.config.lastUsedEveryMs) return;
    this.lastWritten.set(id, now);
    if (this.lastWritten.size > this.config.cacheSize) this.lastWritten.clear();
    // A lost write among gateways only loses a timestamp as recent as the winner's.
    this.Key.collection
      .updateOne({ _id: id } as never, { $set: { lastUsedAt: new Date(now) } })
      .catch((err: Error) => this.logger.warn({ err: err.message, keyId: id }, 'could not record when a key was last used'));
  }
}

/** The configured (bootstrap) keys first, from memory; then the managed ones. */
export class Keys implements KeyLookup {
  constructor(private readonly sources: KeyLookup[]) {}

  async lookup(key: string): Promise<Principal | undefined> {
    for (const source of this.sources) {
      const found = await source.lookup(key);
      if (found) return found;
    }
    return undefined;
  }
}
