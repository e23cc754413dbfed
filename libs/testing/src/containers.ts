import type { ServerUrls } from '@taskyard/config';

/** RabbitMQ (with management), MongoDB and MinIO in containers, for machines with a Docker engine. */
export async function startContainers(): Promise<{ urls: ServerUrls; stop: () => Promise<void> }> {
  const { RabbitMQContainer } = await import('@testcontainers/rabbitmq');
  const { MongoDBContainer } = await import('@testcontainers/mongodb');
  const { MinioContainer } = await import('@testcontainers/minio');
  const [rabbit, mongo, minio] = await Promise.all([
    new RabbitMQContainer('rabbitmq:3.13-management').start(),
    new MongoDBContainer('mongo:7').start(),
    new MinioContainer('minio/minio:RELEASE.2025-09-07T16-13-09Z').withUsername('taskyard').withPassword('taskyard-local-secret').start(),
  ]);
  const mgmtPort = rabbit.getMappedPort(15672);
  return {
    urls: {
      mongoUrl: `${mongo.getConnectionString()}/taskyard?directConnection=true`,
      rabbitmqUrl: rabbit.getAmqpUrl(),
      rabbitmqManagementUrl: `http://guest:guest@${rabbit.getHost()}:${mgmtPort}`,
      s3: {
        endpoint: minio.getConnectionUrl(),
        region: 'us-east-1',
        accessKeyId: 'taskyard',
        secretAccessKey: 'taskyard-local-secret',
        bucket: 'taskyard',
        forcePathStyle: true,
      },
    },
    async stop() {
      await Promise.all([rabbit.stop(), mongo.stop(), minio.stop()]);
    },
  };
}
