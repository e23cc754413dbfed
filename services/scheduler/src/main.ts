import { loadServerUrls } from '@taskyard/config';
import { jobTypesFromEnv } from '@taskyard/contracts';
import { createLogger } from '@taskyard/logging';
import { startScheduler } from './scheduler-service';

const env = process.env;
const logger = createLogger('scheduler', env);

void startScheduler({
  servers: loadServerUrls(env),
  jobTypes: jobTypesFromEnv(env),
  logger,
  port: Number(env.PORT ?? 0),
  host: env.HOST,
}).then((service) => {
  const shutdown = (signal: string): void => {
    logger.info({ signal }, 'shutting down');
    void service.stop().then(() => process.exit(0));
  };
  process.once('SIGTERM', () => shutdown('SIGTERM'));
  process.once('SIGINT', () => shutdown('SIGINT'));
});
