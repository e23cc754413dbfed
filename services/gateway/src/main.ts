import { createLogger, runServiceProcess } from '@taskyard/logging';
import { gatewayConfigFromEnv } from './config';
import { startGateway } from './gateway';

const logger = createLogger('gateway');

// Stopping takes no new requests, lets those in flight finish, then closes the broker and database connections.
runServiceProcess({
  name: 'gateway',
  logger,
  start: async () => {
    const gateway = await startGateway({ ...gatewayConfigFromEnv(process.env), logger });
    return { stop: () => gateway.close() };
  },
});
