import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { CreateBucketCommand, DeleteBucketCommand, DeleteObjectsCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { hasExplicitServers, loadServerUrls, type ServerUrls } from '@taskyard/config';
import { probeCuringBroker } from './broker-guard';
import { startContainers } from './containers';
import { management } from './rabbit-management';
import { deleteSilencedVhost, silenceVhost } from './vhost-teardown';

/** The real servers one test file uses, isolated from every other file: its own database, vhost and bucket. */
export interface TestServers extends ServerUrls {
  /** Which servers these are: the env's, testcontainers', or the local stack's. */
  source: 'env' | 'testcontainers' | 'local';
  /** The unique name of this file's database, vhost and bucket. */
  namespace: string;
  /**
   * RabbitMQ's management API as its administrator, for what tests do that the services' user may not
   * (vhost limits, other users' connections). The services' own `rabbitmqManagementUrl` may be a
   * least-privilege user's.
   */
  adminManagementUrl?: string;
  /** Drops the database, vhost and bucket. */
  cleanup(): Promise<void>;
}

function dockerEngineReachable(): boolean {
  return Boolean(process.env.DOCKER_HOST) || existsSync('/var/run/docker.sock');
}

function withDatabase(mongoUrl: string, db: string): string {
  const url = new URL(mongoUrl);
  url.pathname = `/${db}`;
  return url.toString();
}

function withVhost(amqpUrl: string, vhost: string): string {
  const url = new URL(amqpUrl);
  url.pathname = `/${encodeURIComponent(vhost)}`;
  return url.toString();
}

async function baseServers(): Promise<{ urls: ServerUrls; source: TestServers['source']; stop?: () => Promise<void> }> {
  if (hasExplicitServers()) return { urls: loadServerUrls(), source: 'env' };
  if (dockerEngineReachable()) {
    const started = await startContainers().catch(() => undefined);
    if (started) return { urls: started.urls, source: 'testcontainers', stop: started.stop };
  }
  return { urls: loadServerUrls({}), source: 'local' };
}

/**
 * The admin credentials that make and remove each file's vhost and bucket: the services' users may not
 * (deploy/local gives them least-privilege users). RABBITMQ_ADMIN_URL and S3_ADMIN_* name them; without
 * them the services' own are used, as with servers where one user does everything.
 */
function adminCredentials(urls: ServerUrls, source: TestServers['source']): { managementUrl?: string; s3: { accessKeyId: string; secretAccessKey: string } } {
  const env = source === 'testcontainers' ? {} : process.env;
  return {
    managementUrl: env.RABBITMQ_ADMIN_URL ?? urls.rabbitmqManagementUrl,
    s3: {
      accessKeyId: env.S3_ADMIN_ACCESS_KEY_ID ?? urls.s3.accessKeyId ?? '',
      secretAccessKey: env.S3_ADMIN_SECRET_ACCESS_KEY ?? urls.s3.secretAccessKey ?? '',
    },
  };
}

function s3Client(urls: ServerUrls, credentials: { accessKeyId: string; secretAccessKey: string }): S3Client {
  return new S3Client({ endpoint: urls.s3.endpoint, region: urls.s3.region, forcePathStyle: true, credentials });
}

async function emptyAndDeleteBucket(s3: S3Client, bucket: string): Promise<void> {
  for (;;) {
    const page = await s3.send(new ListObjectsV2Command({ Bucket: bucket, MaxKeys: 1000 }));
    const keys = (page.Contents ?? []).map((o) => ({ Key: o.Key! }));
    if (keys.length === 0) break;
    await s3.send(new DeleteObjectsCommand({ Bucket: bucket, Delete: { Objects: keys } }));
  }
  await s3.send(new DeleteBucketCommand({ Bucket: bucket }));
}

/**
 * Real servers for one test file: the env URLs if set, else testcontainers when a Docker engine answers,
 * else the local stack (`npm start` / deploy/local). Call `cleanup()` in afterAll.
 */
export async function testServers(label = 'test'): Promise<TestServers> {
  const { urls, source, stop } = await baseServers();
  const namespace = `t-${label.toLowerCase().replace(/[^a-z0-9]+/g, '-').slice(0, 20)}-${randomBytes(4).toString('hex')}`;
  const dbName = namespace.replace(/-/g, '_');

  const admin = adminCredentials(urls, source);
  let rabbitmqUrl = urls.rabbitmqUrl;
  if (admin.managementUrl) {
    await management(admin.managementUrl, 'PUT', `/api/vhosts/${encodeURIComponent(namespace)}`);
    const user = decodeURIComponent(new URL(urls.rabbitmqUrl).username || 'guest');
    await management(admin.managementUrl, 'PUT', `/api/permissions/${encodeURIComponent(namespace)}/${encodeURIComponent(user)}`, {
      configure: '.*',
      write: '.*',
      read: '.*',
    });
    rabbitmqUrl = withVhost(urls.rabbitmqUrl, namespace);
  }
  // A broken broker fails here, fast and named, instead of as every service's start timing out in beforeAll; the
  // local stack's broker with a dead dead-letter supervisor is cured first (broker-guard.ts), and says so.
  const cured = await probeCuringBroker(rabbitmqUrl).catch(async (err: unknown) => {
    if (admin.managementUrl) await management(admin.managementUrl, 'DELETE', `/api/vhosts/${encodeURIComponent(namespace)}`).catch(() => undefined);
    await stop?.();
    throw err;
  });
  if (cured) console.warn(`testServers(${label}): the local RabbitMQ answered 541 and its guard cured it:\n${cured}`);

  const s3 = s3Client(urls, admin.s3);
  await s3.send(new CreateBucketCommand({ Bucket: namespace }));

  const servers: TestServers = {
    source,
    namespace,
    adminManagementUrl: admin.managementUrl,
    mongoUrl: withDatabase(urls.mongoUrl, dbName),
    rabbitmqUrl,
    rabbitmqManagementUrl: urls.rabbitmqManagementUrl,
    s3: { ...urls.s3, bucket: namespace },
    async cleanup() {
      // The vhost is silenced first and deleted last: declarations under way finish while the database and the
      // bucket go (vhost-teardown.ts says why they must).
      const vhostUrl = `/api/vhosts/${encodeURIComponent(namespace)}`;
      const silenced = admin.managementUrl ? await silenceVhost(admin.managementUrl, namespace).catch(() => undefined) : undefined;
      const mongoose = await import('mongoose');
      const conn = await mongoose.createConnection(servers.mongoUrl, { serverSelectionTimeoutMS: 5000 }).asPromise();
      await conn.dropDatabase().catch(() => undefined);
      await conn.close();
      await emptyAndDeleteBucket(s3, namespace).catch(() => undefined);
      s3.destroy();
      if (silenced) await deleteSilencedVhost(silenced).catch(() => undefined);
      else if (admin.managementUrl) await management(admin.managementUrl, 'DELETE', vhostUrl).catch(() => undefined);
      await stop?.();
    },
  };
  return servers;
}

/** The environment a child process (a service under test) needs to reach these servers. */
export function serverEnv(servers: ServerUrls): Record<string, string> {
  const env: Record<string, string> = {
    MONGO_URL: servers.mongoUrl,
    RABBITMQ_URL: servers.rabbitmqUrl,
    S3_ENDPOINT: servers.s3.endpoint,
    S3_REGION: servers.s3.region,
    S3_BUCKET: servers.s3.bucket,
    S3_FORCE_PATH_STYLE: String(servers.s3.forcePathStyle),
  };
  if (servers.s3.accessKeyId) env.S3_ACCESS_KEY_ID = servers.s3.accessKeyId;
  if (servers.s3.secretAccessKey) env.S3_SECRET_ACCESS_KEY = servers.s3.secretAccessKey;
  if (servers.rabbitmqUrls?.length) env.RABBITMQ_URLS = servers.rabbitmqUrls.join(',');
  if (servers.rabbitmqManagementUrl) env.RABBITMQ_MANAGEMENT_URL = servers.rabbitmqManagementUrl;
  if (servers.rabbitmqManagementUrls?.length) env.RABBITMQ_MANAGEMENT_URLS = servers.rabbitmqManagementUrls.join(',');
  return env;
}
