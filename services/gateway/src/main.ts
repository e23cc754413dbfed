import { createLogger } from '@taskyard/logging';
import { gatewayConfigFromEnv } from './config';
import { startGateway } from './gateway';

const logger = createLogger('gateway');

async function main(): Promise<void> {
  const gateway = await startGateway({ ...gatewayConfigFromEnv(process.env), logger });
  let stopping = false;
  const stop = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    // Stop taking requests, let those in flight finish, then close the broker and database connections.
    const force = setTimeout(() => process.exit(1), 30_000);
    force.unref();
    gateway.close().then(
      () => process.exit(0),
      (err: Error) => {
        logger.error({ err: err.message }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

main().catch((err: Error) => {
  logger.fatal({ err: err.message }, 'gateway failed to start');
  process.exit(1);
});
