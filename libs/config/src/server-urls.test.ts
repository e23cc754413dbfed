import { ConfigError } from './env-value';
import { brokerUrls, loadServerUrls } from './server-urls';

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
