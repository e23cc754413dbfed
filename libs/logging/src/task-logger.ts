import type { Logger } from 'pino';

const LEVEL_METHODS = new Set(['trace', 'debug', 'info', 'warn', 'error', 'fatal']);
const noop = (): void => undefined;

/**
 * A child logger that stamps every line with the task it is about, made only when it is first used for
 * more than a call at a level that writes nothing. The worker makes one per task, and pino's `child()`
 * serialises its bindings at once: 5-6% of a no-op task's worker CPU in a profile (bench/peers), for a
 * task that writes no line at the usual level (the bench's warn, where `job started` and `job succeeded`
 * are info). Everything else (a written line, `child`, `level`, `bindings()`) is the real child's.
 */
export function taskLogger(logger: Logger, taskId: string, type?: string): Logger {
  let child: Logger | undefined;
  const real = (): Logger => (child ??= logger.child(type ? { taskId, type } : { taskId }));
  const proxy: Logger = new Proxy(logger, {
    get(_target, prop, receiver) {
      if (!child && typeof prop === 'string' && LEVEL_METHODS.has(prop) && !logger.isLevelEnabled(prop)) return noop;
      const c = real();
      return Reflect.get(c, prop, receiver === proxy ? c : receiver);
    },
    // A child's child (pino's Object.create of this logger) sets its own fields through here: they stay its own.
    set(_target, prop, value, receiver) {
      const c = real();
      return Reflect.set(c, prop, value, receiver === proxy ? c : receiver);
    },
    has(_target, prop) {
      return Reflect.has(real(), prop);
    },
  });
  return proxy;
}
