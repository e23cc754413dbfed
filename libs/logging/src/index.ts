export { createLogger, taskLogger } from './logger';
export type { Logger } from './logger';
export { runServiceProcess, DEFAULT_STOP_DEADLINE_MS } from './service-process';
export type { RunningService, ServiceProcessOptions } from './service-process';
