import { loadServerUrls } from '@taskyard/config';
import { jobTypesFromEnv } from '@taskyard/contracts';
import { createLogger, runServiceProcess } from '@taskyard/logging';
import { startScheduler } from './scheduler-service';

const env = process.env;
const logger = createLogger('scheduler', env);

runServiceProcess({
  name: 'scheduler',
  logger,
  start: () => startScheduler({ servers: loadServerUrls(env), jobTypes: jobTypesFromEnv(env), logger, port: Number(env.PORT ?? 0), host: env.HOST }),
});
