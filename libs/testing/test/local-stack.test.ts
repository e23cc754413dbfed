import { staticCredentials } from '@taskyard/storage';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { CreateBucketCommand, GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { testServers, type TestServers } from '../src';

/**
 * The local stack (deploy/local) as `npm test` and `npm start` set it up: the services' users hold no
 * more than the services need, RabbitMQ's Erlang distribution is bound to loopback, logs are private.
 */

const ROOT = path.resolve(__dirname, '../../..');
let servers: TestServers;

beforeAll(async () => {
  servers = await testServers('local-stack');
});
afterAll(async () => {
  await servers?.cleanup();
});

function basicAuth(url: string): { base: string; authorization: string } {
  const u = new URL(url);
  const authorization = `Basic ${Buffer.from(`${decodeURIComponent(u.username)}:${decodeURIComponent(u.password)}`).toString('base64')}`;
  return { base: `${u.protocol}//${u.host}`, authorization };
}

test("RabbitMQ's generated configuration binds the node's and the CLI tools' Erlang distribution to loopback", () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'rabbit-config-'));
  // A state folder of its own, so nothing of the running stack is touched.
  execFileSync('bash', [path.join(ROOT, 'deploy/local/servers.sh'), 'rabbit-config', dir], { env: { ...process.env, TASKYARD_STATE: path.join(dir, 'state') } });
  const envConf = readFileSync(path.join(dir, 'rabbitmq-env.conf'), 'utf8');
  expect(envConf).toMatch(/^SERVER_ADDITIONAL_ERL_ARGS="-kernel inet_dist_use_interface \{127,0,0,1\}"$/m);
  expect(envConf).toMatch(/^CTL_ERL_ARGS="-kernel inet_dist_use_interface \{127,0,0,1\}"$/m);
  const conf = readFileSync(path.join(dir, 'rabbitmq.conf'), 'utf8');
  for (const line of conf.split('\n').filter((l) => /(listeners\.tcp\.default|\.tcp\.ip) =/.test(l))) expect(line).toMatch(/127\.0\.0\.1/);
});

test("the services' RabbitMQ user is not an administrator", async () => {
  const services = basicAuth(servers.rabbitmqManagementUrl!);
  const admin = basicAuth(servers.adminManagementUrl!);
  expect(services.authorization).not.toBe(admin.authorization);
  const who = (await (await fetch(`${services.base}/api/whoami`, { headers: { authorization: services.authorization } })).json()) as { name: string; tags: string[] | string };
  expect(who.name).not.toBe('guest');
  expect(String(who.tags)).not.toContain('administrator');
  const vhost = await fetch(`${services.base}/api/vhosts/${servers.namespace}-x`, { method: 'PUT', headers: { authorization: services.authorization } });
  expect([401, 403]).toContain(vhost.status);
});

test("the services' MinIO user reaches objects of its bucket only, and creates no buckets", async () => {
  const s3 = new S3Client({
    endpoint: servers.s3.endpoint,
    region: servers.s3.region,
    forcePathStyle: true,
    credentials: staticCredentials(servers.s3),
  });
  try {
    expect(servers.s3.accessKeyId).not.toBe(process.env.S3_ADMIN_ACCESS_KEY_ID);
    await s3.send(new PutObjectCommand({ Bucket: servers.s3.bucket, Key: 'probe.txt', Body: 'ok' }));
    const got = await s3.send(new GetObjectCommand({ Bucket: servers.s3.bucket, Key: 'probe.txt' }));
    expect(await got.Body!.transformToString()).toBe('ok');
    await expect(s3.send(new CreateBucketCommand({ Bucket: `x-${servers.namespace}` }))).rejects.toMatchObject({ name: 'AccessDenied' });
  } finally {
    s3.destroy();
  }
});

test("the stack's logs and secrets are readable by their owner only", () => {
  const state = process.env.TASKYARD_STATE!;
  const logDir = path.join(state, 'log');
  expect(statSync(logDir).mode & 0o077).toBe(0);
  expect(statSync(path.join(state, 'secrets.env')).mode & 0o077).toBe(0);
  expect(statSync(path.join(state, 'minio')).mode & 0o077).toBe(0);
  const rabbitLogs = path.join(state, 'rabbitmq', 'log');
  expect(statSync(rabbitLogs).mode & 0o077).toBe(0);
  expect(readdirSync(logDir).length).toBeGreaterThan(0);
});
