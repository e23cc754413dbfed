import fp from 'fastify-plugin';
import type { GatewayMetrics } from '../metrics';

/** pino's level numbers: a line of a level below the logger's is never written. */
const LEVELS: Record<string, number> = { trace: 10, debug: 20, info: 30, warn: 40, error: 50, fatal: 60 };
const writes = (loggerLevel: string, level: 'info' | 'debug'): boolean => LEVELS[level] >= (LEVELS[loggerLevel] ?? Infinity);

/** The key may travel in the query string (SSE); it must never reach a log line. */
const redact = (url: string): string => url.replace(/([?&]access_token=)[^&]*/g, '$1[redacted]');

/** Per-request duration histogram and one log line per request (errors at info, the rest at debug). */
export const observabilityPlugin = fp<{ metrics: GatewayMetrics }>(
  async (app, { metrics }) => {
    // A callback hook (no promise per request); the log line is built only when it will be written.
    app.addHook('onResponse', (request, reply, done) => {
      const route = request.routeOptions.url ?? 'unmatched';
      const seconds = reply.elapsedTime / 1000;
      metrics.httpDuration.observe({ method: request.method, route, status: String(reply.statusCode) }, seconds);
      const level = reply.statusCode >= 400 ? 'info' : 'debug';
      if (writes(request.log.level, level)) {
        request.log[level]({ method: request.method, url: redact(request.url), status: reply.statusCode, ms: Math.round(reply.elapsedTime) }, 'request answered');
      }
      done();
    });
  },
  { name: 'taskyard-observability' },
);
