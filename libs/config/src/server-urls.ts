/** Where the real servers are. The defaults are the local stack's (deploy/local/lib.sh). */
export interface S3Settings {
  endpoint: string;
  region: string;
  accessKeyId: string;
  secretAccessKey: string;
  bucket: string;
}

export interface ServerUrls {
  mongoUrl: string;
  rabbitmqUrl: string;
  /** RabbitMQ's management API, with credentials; absent when not reachable. */
  rabbitmqManagementUrl?: string;
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
  },
} as const;

export function loadServerUrls(env: Env = process.env): ServerUrls {
  return {
    mongoUrl: env.MONGO_URL ?? LOCAL_DEFAULTS.mongoUrl,
    rabbitmqUrl: env.RABBITMQ_URL ?? LOCAL_DEFAULTS.rabbitmqUrl,
    rabbitmqManagementUrl: env.RABBITMQ_MANAGEMENT_URL ?? (env.RABBITMQ_URL ? undefined : LOCAL_DEFAULTS.rabbitmqManagementUrl),
    s3: {
      endpoint: env.S3_ENDPOINT ?? LOCAL_DEFAULTS.s3.endpoint,
      region: env.S3_REGION ?? LOCAL_DEFAULTS.s3.region,
      accessKeyId: env.S3_ACCESS_KEY_ID ?? LOCAL_DEFAULTS.s3.accessKeyId,
      secretAccessKey: env.S3_SECRET_ACCESS_KEY ?? LOCAL_DEFAULTS.s3.secretAccessKey,
      bucket: env.S3_BUCKET ?? LOCAL_DEFAULTS.s3.bucket,
    },
  };
}

/** True when the caller pointed us at servers of its own (rather than the local stack's defaults). */
export function hasExplicitServers(env: Env = process.env): boolean {
  return Boolean(env.MONGO_URL || env.RABBITMQ_URL || env.S3_ENDPOINT);
}
