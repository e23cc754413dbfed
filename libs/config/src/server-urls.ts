import { boolFromEnv, ConfigError } from './env-value';

/** Where the real servers are. The defaults are the local stack's (deploy/local/lib.sh). */
export interface S3Settings {
  endpoint: string;
  region: string;
  /**
   * Static credentials. Absent (S3_ENDPOINT given without S3_ACCESS_KEY_ID): the AWS SDK's standard chain
   * (AWS_* variables, web identity / IRSA, ECS and EC2 instance roles, the shared config files).
   */
  accessKeyId?: string;
  secretAccessKey?: string;
  /**
   * Path-style URLs (`https://host/bucket/key`: MinIO, Ceph, most S3-compatible servers) or, when false,
   * virtual-hosted (`https://bucket.host/key`: AWS S3). S3_FORCE_PATH_STYLE, default true.
   */
  forcePathStyle: boolean;
  bucket: string;
}

export interface ServerUrls {
  /** Passed to the driver unchanged: a replica set's hosts, `replicaSet=`, `readPreference`, `w` included. */
  mongoUrl: string;
  /** The first broker node: what tools that need one node (the tests' vhosts, the management link) use. */
  rabbitmqUrl: string;
  /**
   * Every broker node a service may connect to (a RabbitMQ cluster's nodes, from RABBITMQ_URLS); it
   * connects to one and, when that one is lost, to another. Absent: `rabbitmqUrl` alone.
   */
  rabbitmqUrls?: string[];
  /** RabbitMQ's management API, with credentials (the first node's, given several); absent when not reachable. */
  rabbitmqManagementUrl?: string;
  /**
   * Every node's management API (RABBITMQ_MANAGEMENT_URLS, or a list in RABBITMQ_MANAGEMENT_URL); a reader
   * asks another when one does not answer. Absent: `rabbitmqManagementUrl` alone.
   */
  rabbitmqManagementUrls?: string[];
  s3: S3Settings;
}

export type Env = Record<string, string | undefined>;

export const LOCAL_DEFAULTS = {
  mongoUrl: 'mongodb://127.0.0.1:27018/taskyard',
  rabbitmqUrl: 'amqp://guest:guest@127.0.0.1:5673',
  rabbitmqManagementUrl: 'http://guest:guest@127.0.0.1:15673',
  s3: {
    endpoint: 'http://127.0.0.1:9010',
    region: 'us-east-1',
    accessKeyId: 'taskyard',
    secretAccessKey: 'taskyard-local-secret',
    bucket: 'taskyard',
    forcePathStyle: true,
  },
} as const;

/**
 * RABBITMQ_URLS: the broker nodes, comma separated (`amqp://u:p@rabbit-0:5672,amqp://u:p@rabbit-1:5672`).
 * Without it, RABBITMQ_URL alone. Each must be an amqp: or amqps: URL.
 */
export function parseBrokerUrls(env: Env): string[] | undefined {
  return urlList(env.RABBITMQ_URLS, 'RABBITMQ_URLS', ['amqp:', 'amqps:']);
}

/**
 * RABBITMQ_MANAGEMENT_URLS (or RABBITMQ_MANAGEMENT_URL), comma separated: the management API of each node
 * (`http://u:p@rabbit-0:15672,http://u:p@rabbit-1:15672`). Each must be an http: or https: URL.
 */
export function parseManagementUrls(env: Env): string[] | undefined {
  const name = env.RABBITMQ_MANAGEMENT_URLS ? 'RABBITMQ_MANAGEMENT_URLS' : 'RABBITMQ_MANAGEMENT_URL';
  return urlList(env[name], name, ['http:', 'https:']);
}

function urlList(raw: string | undefined, name: string, protocols: string[]): string[] | undefined {
  const list = raw?.split(',').map((u) => u.trim()).filter(Boolean);
  if (!list?.length) return undefined;
  for (const url of list) {
    let protocol: string;
    try {
      protocol = new URL(url).protocol;
    } catch {
      throw new ConfigError(`${name}: not a URL: ${url.replace(/\/\/[^@/]*@/, '//***@')}`);
    }
    if (!protocols.includes(protocol)) throw new ConfigError(`${name}: not an ${protocols.join(' or ')} URL: ${protocol}`);
  }
  return list;
}

/** The management APIs a reader asks, in the order it tries them. */
export function managementUrls(servers: Pick<ServerUrls, 'rabbitmqManagementUrl' | 'rabbitmqManagementUrls'>): string[] {
  return servers.rabbitmqManagementUrls?.length ? servers.rabbitmqManagementUrls : servers.rabbitmqManagementUrl ? [servers.rabbitmqManagementUrl] : [];
}

/** The broker nodes a service connects to, in the order it tries them. */
export function brokerUrls(servers: Pick<ServerUrls, 'rabbitmqUrl' | 'rabbitmqUrls'>): string[] {
  return servers.rabbitmqUrls?.length ? servers.rabbitmqUrls : [servers.rabbitmqUrl];
}

export function loadServerUrls(env: Env = process.env): ServerUrls {
  const nodes = parseBrokerUrls(env);
  const explicitBroker = Boolean(env.RABBITMQ_URL || nodes);
  const management = parseManagementUrls(env);
  return {
    mongoUrl: env.MONGO_URL ?? LOCAL_DEFAULTS.mongoUrl,
    rabbitmqUrl: env.RABBITMQ_URL ?? nodes?.[0] ?? LOCAL_DEFAULTS.rabbitmqUrl,
    ...(nodes ? { rabbitmqUrls: nodes } : {}),
    ...(management ? { rabbitmqManagementUrl: management[0] } : explicitBroker ? {} : { rabbitmqManagementUrl: LOCAL_DEFAULTS.rabbitmqManagementUrl }),
    ...(management && management.length > 1 ? { rabbitmqManagementUrls: management } : {}),
    s3: {
      endpoint: env.S3_ENDPOINT ?? LOCAL_DEFAULTS.s3.endpoint,
      region: env.S3_REGION ?? LOCAL_DEFAULTS.s3.region,
      // The local stack's keys only for the local stack: an endpoint of the caller's own without keys uses the chain.
      accessKeyId: env.S3_ACCESS_KEY_ID ?? (env.S3_ENDPOINT ? undefined : LOCAL_DEFAULTS.s3.accessKeyId),
      secretAccessKey: env.S3_SECRET_ACCESS_KEY ?? (env.S3_ENDPOINT ? undefined : LOCAL_DEFAULTS.s3.secretAccessKey),
      forcePathStyle: boolFromEnv(env, 'S3_FORCE_PATH_STYLE', true),
      bucket: env.S3_BUCKET ?? LOCAL_DEFAULTS.s3.bucket,
    },
  };
}

/** True when the caller pointed us at servers of its own (rather than the local stack's defaults). */
export function hasExplicitServers(env: Env = process.env): boolean {
  return Boolean(env.MONGO_URL || env.RABBITMQ_URL || env.RABBITMQ_URLS || env.S3_ENDPOINT);
}
