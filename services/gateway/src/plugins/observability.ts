import fp from 'fastify-plugin';
import type { GatewayMetrics } from '../metrics';

/** The key may travel in the query string (SSE); it must never reach a log line. */
const redact = (url: string): string => url.replace(/([?&]access_token=)[^&]*/g, '$1[redacted]');

/** Per-request duration histogram and one log line per request (errors at info, the rest at debug). */
export const observabilityPlugin = fp<{ metrics: GatewayMetrics }>(
  async (app, { metrics }) => {
    app.addHook('onResponse', async (request, reply) => {
      const route = request.routeOptions.url ?? 'unmatched';
      const seconds = reply.elapsedTime / 1000;
      metrics.httpDuration.observe({ method: request.method, route, status: String(reply.statusCode) }, seconds);
      const line = { method: request.method, url: redact(request.url), status: reply.statusCode, ms: Math.round(reply.elapsedTime) };
      if (reply.statusCode >= 400) request.log.info(line, 'request answered');
      else request.log.debug(line, 'request answered');
    });
  },
  { name: 'taskyard-observability' },
);
