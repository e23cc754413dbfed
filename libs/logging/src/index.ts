export { createLogger, taskLogger } from './logger';
export type { Logger } from './logger';
