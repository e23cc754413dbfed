import { staticCredentials } from '@taskyard/storage';
import { randomBytes } from 'node:crypto';
import { GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { testServers, type TestServers } from '../src';

let servers: TestServers;
let s3: S3Client;

beforeAll(async () => {
  servers = await testServers('s3');
  s3 = new S3Client({
    endpoint: servers.s3.endpoint,
    region: servers.s3.region,
    forcePathStyle: true,
    credentials: staticCredentials(servers.s3),
  });
});
afterAll(async () => {
  s3?.destroy();
  await servers?.cleanup();
});

test('puts, gets and presigns an object that a plain HTTP GET downloads byte for byte', async () => {
  const body = randomBytes(3 * 1024 * 1024 + 17);
  await s3.send(new PutObjectCommand({ Bucket: servers.s3.bucket, Key: 'artifacts/x/blob.bin', Body: body, ContentType: 'application/octet-stream' }));

  const got = await s3.send(new GetObjectCommand({ Bucket: servers.s3.bucket, Key: 'artifacts/x/blob.bin' }));
  expect(Buffer.from(await got.Body!.transformToByteArray()).equals(body)).toBe(true);

  const url = await getSignedUrl(s3, new GetObjectCommand({ Bucket: servers.s3.bucket, Key: 'artifacts/x/blob.bin' }), { expiresIn: 60 });
  const res = await fetch(url);
  expect(res.status).toBe(200);
  expect(Buffer.from(await res.arrayBuffer()).equals(body)).toBe(true);

  const tampered = url.replace('blob.bin', 'other.bin');
  expect((await fetch(tampered)).status).toBe(403);
});
