import type { Logger } from 'pino';

export interface RunningService {
  /** Graceful: stop taking work, finish what is in hand, close connections. */
  stop(): Promise<void>;
}

export interface ServiceProcessOptions {
  /** The service's name in the start and stop log lines. */
  name: string;
  logger: Logger;
  start: () => Promise<RunningService>;
  /** A stop that takes longer than this ends the process anyway (exit 1): an orchestrator's kill would come next. */
  stopDeadlineMs?: number;
}

/** A stop not done by then is stuck (the longest grace a service gives its work is 20 s). */
export const DEFAULT_STOP_DEADLINE_MS = 30_000;

/** Sent to a parent that started the service with an IPC channel, once it serves (its health port listens). */
export const SERVICE_READY_MESSAGE = 'taskyard:service-ready';

/**
 * The main of a service process: starts it (a start that fails is logged and exits 1) and stops it
 * gracefully on the first SIGTERM or SIGINT (exit 0; 1 when the stop fails or passes its deadline).
 */
export function runServiceProcess(opts: ServiceProcessOptions): void {
  const { logger, name } = opts;
  opts.start().then(
    (service) => {
      // A parent waiting on the start (a test's process stack) is told at once instead of polling /healthz.
      if (process.send) process.send(SERVICE_READY_MESSAGE);
      let stopping = false;
      const stop = (signal: string): void => {
        if (stopping) return;
        stopping = true;
        logger.info({ signal }, 'shutting down');
        setTimeout(() => process.exit(1), opts.stopDeadlineMs ?? DEFAULT_STOP_DEADLINE_MS).unref();
        service.stop().then(
          () => process.exit(0),
          (err: Error) => {
            logger.error({ err: err.message }, 'shutdown failed');
            process.exit(1);
          },
        );
      };
      process.on('SIGTERM', () => stop('SIGTERM'));
      process.on('SIGINT', () => stop('SIGINT'));
    },
    (err: Error) => {
      logger.fatal({ err: err.message }, `${name} failed to start`);
      process.exit(1);
    },
  );
}
