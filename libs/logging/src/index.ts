export { createLogger } from './logger';
export { taskLogger } from './task-logger';
export type { Logger } from './logger';
export { runServiceProcess, DEFAULT_STOP_DEADLINE_MS, SERVICE_READY_MESSAGE } from './service-process';
export type { RunningService, ServiceProcessOptions } from './service-process';
export { EVENT_LOOP_MONITOR, EVENT_LOOP_MONITOR_MS } from './event-loop-monitor';
