import { ConfigError } from './env-value';
import { brokerUrls, loadServerUrls, managementUrls } from './server-urls';

test('RABBITMQ_URLS lists the broker nodes in order; RABBITMQ_URL alone still works', () => {
  const cluster = loadServerUrls({ RABBITMQ_URLS: ' amqp://u:p@rabbit-0:5672, amqps://u:p@rabbit-1:5671 ,' });
  expect(cluster.rabbitmqUrls).toEqual(['amqp://u:p@rabbit-0:5672', 'amqps://u:p@rabbit-1:5671']);
  expect(cluster.rabbitmqUrl).toBe('amqp://u:p@rabbit-0:5672');
  expect(brokerUrls(cluster)).toEqual(cluster.rabbitmqUrls);
  // A broker of the caller's own: no local management URL guessed for it.
  expect(cluster.rabbitmqManagementUrl).toBeUndefined();

  const single = loadServerUrls({ RABBITMQ_URL: 'amqp://u:p@rabbit:5672' });
  expect(single.rabbitmqUrls).toBeUndefined();
  expect(brokerUrls(single)).toEqual(['amqp://u:p@rabbit:5672']);
});

test('a RABBITMQ_URLS entry that is not an AMQP URL stops the service with the variable named, never the password', () => {
  expect(() => loadServerUrls({ RABBITMQ_URLS: 'amqp://u:p@a:5672,http://u:p@b' })).toThrow(new ConfigError('RABBITMQ_URLS: not an amqp: or amqps: URL: http:'));
  expect(() => loadServerUrls({ RABBITMQ_URLS: 'user:secret@rabbit' })).toThrow(ConfigError);
  try {
    loadServerUrls({ RABBITMQ_URLS: '//user:secret@rab bit' });
  } catch (err) {
    expect((err as Error).message).not.toContain('secret');
  }
});

test('a MongoDB replica set connection string is passed through unchanged', () => {
  const url = 'mongodb://app:pw@db-0:27017,db-1:27017,db-2:27017/taskyard?replicaSet=rs0&readPreference=primaryPreferred&w=majority&retryWrites=true';
  expect(loadServerUrls({ MONGO_URL: url }).mongoUrl).toBe(url);
});

test('S3: an endpoint of the caller’s own without keys leaves the credentials to the SDK’s standard chain; path style is a setting', () => {
  const aws = loadServerUrls({ S3_ENDPOINT: 'https://s3.eu-west-1.amazonaws.com', S3_REGION: 'eu-west-1', S3_FORCE_PATH_STYLE: 'false' });
  expect(aws.s3).toMatchObject({ endpoint: 'https://s3.eu-west-1.amazonaws.com', region: 'eu-west-1', forcePathStyle: false });
  expect(aws.s3.accessKeyId).toBeUndefined();
  expect(aws.s3.secretAccessKey).toBeUndefined();
  const minio = loadServerUrls({ S3_ENDPOINT: 'http://minio:9000', S3_ACCESS_KEY_ID: 'k', S3_SECRET_ACCESS_KEY: 's' });
  expect(minio.s3).toMatchObject({ accessKeyId: 'k', secretAccessKey: 's', forcePathStyle: true });
  expect(() => loadServerUrls({ S3_FORCE_PATH_STYLE: 'sometimes' })).toThrow(ConfigError);
});

test('the management API of several nodes: RABBITMQ_MANAGEMENT_URLS (or a list in RABBITMQ_MANAGEMENT_URL), in order; one URL as before', () => {
  const nodes = ['http://u:p@rabbit-0:15672', 'https://u:p@rabbit-1:15671'];
  for (const env of [{ RABBITMQ_MANAGEMENT_URLS: nodes.join(', ') }, { RABBITMQ_MANAGEMENT_URL: `${nodes.join(',')},` }]) {
    const servers = loadServerUrls({ RABBITMQ_URL: 'amqp://u:p@rabbit-0:5672', ...env });
    expect(servers.rabbitmqManagementUrls).toEqual(nodes);
    expect(servers.rabbitmqManagementUrl).toBe(nodes[0]);
    expect(managementUrls(servers)).toEqual(nodes);
  }
  const one = loadServerUrls({ RABBITMQ_URL: 'amqp://u:p@rabbit:5672', RABBITMQ_MANAGEMENT_URL: 'http://u:p@rabbit:15672' });
  expect(one.rabbitmqManagementUrls).toBeUndefined();
  expect(managementUrls(one)).toEqual(['http://u:p@rabbit:15672']);
  expect(managementUrls(loadServerUrls({ RABBITMQ_URL: 'amqp://u:p@rabbit:5672' }))).toEqual([]);
  expect(() => loadServerUrls({ RABBITMQ_MANAGEMENT_URLS: 'http://u:p@a:15672,amqp://u:p@b' })).toThrow(new ConfigError('RABBITMQ_MANAGEMENT_URLS: not an http: or https: URL: amqp:'));
  expect(() => loadServerUrls({ RABBITMQ_MANAGEMENT_URL: '//u:secret@rab bit' })).toThrow(/^RABBITMQ_MANAGEMENT_URL: not a URL: \/\/\*\*\*@rab bit$/);
});
