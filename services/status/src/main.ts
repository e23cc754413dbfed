import { loadServerUrls } from '@taskyard/config';
import { jobTypesFromEnv } from '@taskyard/contracts';
import { createLogger, runServiceProcess } from '@taskyard/logging';
import { startStatusService } from './status-service';

const env = process.env;
const logger = createLogger('status', env);

runServiceProcess({
  name: 'status service',
  logger,
  start: () =>
    startStatusService({
      servers: loadServerUrls(env),
      jobTypes: jobTypesFromEnv(env),
      logger,
      partitions: env.STATUS_PARTITIONS ? Number(env.STATUS_PARTITIONS) : undefined,
      sweepIntervalMs: env.SWEEP_INTERVAL_MS ? Number(env.SWEEP_INTERVAL_MS) : undefined,
      statsFlushMs: env.STATS_FLUSH_MS ? Number(env.STATS_FLUSH_MS) : undefined,
      callbackSecret: env.CALLBACK_SECRET ?? '',
      callbackAllowedHosts: (env.CALLBACK_ALLOWED_HOSTS ?? '').split(',').map((h) => h.trim()).filter(Boolean),
      port: Number(env.PORT ?? 0),
      host: env.HOST,
    }),
});
