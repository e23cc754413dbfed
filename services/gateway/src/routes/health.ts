import type { FastifyPluginAsync } from 'fastify';
import type { GatewayDeps } from '../deps';
import { NotReady } from '../errors';

const hidden = { tags: ['health'] };

/** Liveness, readiness and Prometheus metrics: no key needed (probes and scrapers have none). */
export const healthRoutes: FastifyPluginAsync<GatewayDeps> = async (app, { readiness, metrics }) => {
  app.get('/healthz', { schema: { ...hidden, summary: 'Liveness' } }, async () => ({ status: 'ok' }));

  app.get('/readyz', { schema: { ...hidden, summary: 'Readiness: database, broker and storage answer' } }, async () => {
    const report = await readiness.report();
    if (!report.ready) throw new NotReady('not ready', report.checks);
    return { status: 'ready', checks: report.checks };
  });

  app.get('/metrics', { schema: { ...hidden, summary: 'Prometheus metrics' } }, async (_request, reply) => {
    const text = await metrics.registry.metrics();
    return reply.type(metrics.registry.contentType).send(text);
  });
};
