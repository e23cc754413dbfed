import type { FastifyPluginAsync } from 'fastify';
import { apiErrors } from '../api-errors';
import type { GatewayDeps } from '../deps';
import { NotReady } from '../errors';

/** Probes and scrapers have no key: these routes need none (`security: []` in /docs). */
const open = { tags: ['health'], security: [] };

const checks = {
  type: 'object',
  required: ['database', 'broker', 'storage'],
  properties: { database: { type: 'boolean' }, broker: { type: 'boolean' }, storage: { type: 'boolean' } },
} as const;

/** Liveness, readiness and Prometheus metrics. */
export const healthRoutes: FastifyPluginAsync<GatewayDeps> = async (app, { readiness, metrics }) => {
  app.get(
    '/healthz',
    {
      schema: {
        ...open,
        operationId: 'getLiveness',
        summary: 'Liveness',
        description: 'Answers 200 while the process serves HTTP; it checks nothing else.',
        response: { 200: { type: 'object', required: ['status'], properties: { status: { type: 'string', const: 'ok' } } } },
      },
    },
    async () => ({ status: 'ok' }),
  );

  app.get(
    '/readyz',
    {
      schema: {
        ...open,
        operationId: 'getReadiness',
        summary: 'Readiness: database, broker and storage answer',
        description: 'Answers 200 when the database answers a ping, the broker channel is open and the bucket answers; 503 (`not-ready`, `details` = the checks) otherwise.',
        response: {
          200: { type: 'object', required: ['status', 'checks'], properties: { status: { type: 'string', const: 'ready' }, checks } },
          ...apiErrors(503),
        },
      },
    },
    async () => {
      const report = await readiness.report();
      if (!report.ready) throw new NotReady('not ready', report.checks);
      return { status: 'ready', checks: report.checks };
    },
  );

  app.get(
    '/metrics',
    {
      schema: {
        ...open,
        operationId: 'getMetrics',
        summary: 'Prometheus metrics',
        description: 'The gateway\'s metrics in the Prometheus text exposition format.',
        response: { 200: { description: 'Prometheus text format', content: { 'text/plain': { schema: { type: 'string' } } } } },
      },
    },
    async (_request, reply) => {
      const text = await metrics.registry.metrics();
      return reply.type(metrics.registry.contentType).send(text);
    },
  );
};
