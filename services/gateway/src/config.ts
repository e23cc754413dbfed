import { resolve } from 'node:path';
import { intFromEnv, loadServerUrls, type Env, type ServerUrls } from '@taskyard/config';
import { outboundRulesFromEnv, type OutboundRules } from '@taskyard/address-guard';
import { API_HARVEST_HOST_SETTINGS, HARVEST_HOSTS_REFRESH_MS, jobTypesFromEnv, type JobTypeDefinition } from '@taskyard/contracts';
import { OUTBOX_GRACE_MS } from '@taskyard/tasks';
import type { Logger } from '@taskyard/logging';
import { HTTP_TIMEOUTS, type HttpTimeouts } from './deps';
import { apiKeysFromEnv, type ApiKey } from './api-keys';
import { DEFAULT_KEY_CACHE_MS } from './managed-keys';
import { OUTBOX_IDLE_MAX_MS } from './outbox-relay';

export interface GatewayConfig {
  port: number;
  host: string;
  servers: ServerUrls;
  jobTypes: Map<string, JobTypeDefinition>;
  keys: ApiKey[];
  /** The console's build; served at `/` when it exists. */
  consoleDir?: string;
  logger?: Logger;
  /** How often the outbox relay looks for unpublished tasks while it finds some (default 1 s). */
  outboxIntervalMs?: number;
  /** The longest the outbox relay waits once it finds none (default OUTBOX_IDLE_MAX_MS; see OutboxRelay). */
  outboxIdleMaxMs?: number;
  /** How long the relays leave a submit's fresh outbox entry alone (default OUTBOX_GRACE_MS, 30 s). */
  outboxGraceMs?: number;
  /** Lifetime of presigned artifact URLs (default 15 minutes). */
  presignSeconds?: number;
  /** Deadline of one database read (default 5 s). */
  dbTimeoutMs?: number;
  /** How long start-up waits for the broker before serving anyway, publishing via the outbox (default 10 s). */
  brokerStartTimeoutMs?: number;
  /** Where multipart uploads are spooled before inspection (default the OS temp dir). */
  uploadDir?: string;
  /** Uploads one owner may have under way at once, per gateway (default 2). */
  uploadsPerOwner?: number;
  /** The HTTP server's request and idle-connection deadlines. */
  timeouts?: HttpTimeouts;
  /** How long a managed key's lookup is trusted: a revocation reaches other gateways within it (default 10 s). */
  keyCacheMs?: number;
  /** The hosts api-harvest tasks may name (default none): another host is refused at submit. */
  harvestHosts?: OutboundRules;
  /** How often the admin's allowed hosts are re-read (default HARVEST_HOSTS_REFRESH_MS): a change applies within it. */
  harvestHostsRefreshMs?: number;
}

export function gatewayConfigFromEnv(env: Env = process.env): GatewayConfig {
  return {
    port: intFromEnv(env, 'PORT', 8080),
    host: env.HOST ?? '0.0.0.0',
    servers: loadServerUrls(env),
    jobTypes: jobTypesFromEnv(env),
    keys: apiKeysFromEnv(env),
    consoleDir: env.CONSOLE_DIR ?? resolve(__dirname, '../console/dist'),
    outboxIntervalMs: intFromEnv(env, 'OUTBOX_INTERVAL_MS', 1000),
    outboxIdleMaxMs: intFromEnv(env, 'OUTBOX_IDLE_MAX_MS', OUTBOX_IDLE_MAX_MS),
    outboxGraceMs: intFromEnv(env, 'OUTBOX_GRACE_MS', OUTBOX_GRACE_MS),
    presignSeconds: intFromEnv(env, 'PRESIGN_SECONDS', 900),
    uploadDir: env.UPLOAD_DIR,
    uploadsPerOwner: intFromEnv(env, 'UPLOADS_PER_OWNER', 2),
    timeouts: {
      requestMs: intFromEnv(env, 'REQUEST_TIMEOUT_MS', HTTP_TIMEOUTS.requestMs),
      connectionMs: intFromEnv(env, 'CONNECTION_TIMEOUT_MS', HTTP_TIMEOUTS.connectionMs),
      keepAliveMs: intFromEnv(env, 'KEEP_ALIVE_TIMEOUT_MS', HTTP_TIMEOUTS.keepAliveMs),
    },
    keyCacheMs: intFromEnv(env, 'KEY_CACHE_MS', DEFAULT_KEY_CACHE_MS),
    harvestHosts: outboundRulesFromEnv(env, API_HARVEST_HOST_SETTINGS),
    harvestHostsRefreshMs: intFromEnv(env, 'API_HARVEST_HOSTS_REFRESH_MS', HARVEST_HOSTS_REFRESH_MS),
  };
}
