import { startHealthServer } from '@taskyard/worker';
import { createLogger } from '@taskyard/logging';

// Foundation stage: starts, logs and answers /healthz. The lifecycle issue fills it in.
const logger = createLogger('diagnostic');
const port = Number(process.env.PORT ?? 0);
void startHealthServer({ port, host: process.env.HOST }).then(() => logger.info({ port }, 'diagnostic started'));
