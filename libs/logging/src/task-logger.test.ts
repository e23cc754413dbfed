import pino, { type Logger } from 'pino';
import { taskLogger } from './task-logger';

/** A pino logger writing its lines into `lines`, and a count of the children made from it. */
function recording(level: string): { logger: Logger; lines: Record<string, unknown>[]; children: () => number } {
  const lines: Record<string, unknown>[] = [];
  const logger = pino({ level, base: undefined }, { write: (line: string) => void lines.push(JSON.parse(line) as Record<string, unknown>) });
  let made = 0;
  const child = logger.child;
  logger.child = function counted(this: Logger, ...args: Parameters<Logger['child']>) {
    made += 1;
    return child.apply(this, args);
  } as Logger['child'];
  return { logger, lines, children: () => made };
}

describe('taskLogger', () => {
  it('makes no child for calls at levels that write nothing', () => {
    const { logger, lines, children } = recording('warn');
    const log = taskLogger(logger, 't-1', 'diagnostic');
    log.info({ attempt: 1 }, 'job started');
    log.debug('detail');
    expect(children()).toBe(0);
    expect(lines).toEqual([]);
  });

  it('stamps a written line with the task id and type, making the child once', () => {
    const { logger, lines, children } = recording('info');
    const log = taskLogger(logger, 't-2', 'diagnostic');
    log.info({ attempt: 1 }, 'job started');
    log.warn('slow');
    expect(children()).toBe(1);
    expect(lines).toMatchObject([
      { taskId: 't-2', type: 'diagnostic', attempt: 1, msg: 'job started', level: 30 },
      { taskId: 't-2', type: 'diagnostic', msg: 'slow', level: 40 },
    ]);
  });

  it('is a whole logger: its bindings, its level and its own children', () => {
    const { logger, lines } = recording('warn');
    const log = taskLogger(logger, 't-3');
    expect(log.bindings()).toEqual({ taskId: 't-3' });
    log.level = 'info';
    expect(logger.level).toBe('warn');
    log.child({ step: 'read' }).info('reading');
    log.info('at info now');
    expect(lines).toMatchObject([
      { taskId: 't-3', step: 'read', msg: 'reading' },
      { taskId: 't-3', msg: 'at info now' },
    ]);
  });
});
