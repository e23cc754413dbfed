import pino, { type Logger } from 'pino';

export type { Logger };

/** A pino JSON logger named after its service. LOG_LEVEL sets the level (default info; silent in tests). */
export function createLogger(service: string, env: Record<string, string | undefined> = process.env): Logger {
  const level = env.LOG_LEVEL ?? (env.JEST_WORKER_ID ? 'silent' : 'info');
  return pino({ name: service, level, base: { service } });
}
