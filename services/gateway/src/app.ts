import { randomUUID } from 'node:crypto';
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import multipart from '@fastify/multipart';
import rateLimit from '@fastify/rate-limit';
import { registerDocs } from './api-docs';
import { ERROR_SCHEMAS } from './api-errors';
import { SHARED_SCHEMAS } from './api-schemas';
import { JOB_REQUEST_SCHEMAS } from './job-request-schemas';
import { HTTP_TIMEOUTS, type GatewayDeps } from './deps';
import { jobTypeSchemas } from './job-type-schemas';
import { authPlugin } from './plugins/auth';
import { consoleBuilt, consoleFallback, consolePlugin } from './plugins/console';
import { clientErrorHandler, errorsPlugin, frameworkErrors } from './plugins/errors';
import { nulGuardPlugin } from './plugins/nul-guard';
import { observabilityPlugin } from './plugins/observability';
import { securityHeadersPlugin } from './plugins/security-headers';
import { sharedSchemaCompilers } from './schema-compilers';
import { adminRoutes } from './routes/admin';
import { apiKeyRoutes } from './routes/api-keys';
import { healthRoutes } from './routes/health';
import { jobRequestRoutes } from './routes/job-requests';
import { jobTypeRoutes } from './routes/job-types';
import { meRoutes } from './routes/me';
import { overviewRoutes } from './routes/overview';
import { scheduleRoutes } from './routes/schedules';
import { taskControlRoutes } from './routes/task-control';
import { taskBatchRoutes } from './routes/task-batch';
import { jobTypeControlRoutes } from './routes/job-type-control';
import { adminSettingsRoutes } from './routes/admin-settings';
import { processorRoutes } from './routes/processors';
import { requestManagerRoutes } from './routes/request-manager';
import { taskEventRoutes } from './routes/task-events';
import { taskRoutes } from './routes/tasks';
import { workflowRoutes } from './routes/workflows';

/** The `/v1` API: every route behind the API-key hook, the admin routes behind the admin check too. */
async function registerApi(app: FastifyInstance, deps: GatewayDeps): Promise<void> {
  await app.register(
    async (v1) => {
      await v1.register(authPlugin, { keys: deps.keys });
      // Limits only the routes whose config names a rateLimit (the submissions).
      await v1.register(rateLimit, { global: false });
      await v1.register(meRoutes);
      await v1.register(overviewRoutes, deps);
      await v1.register(taskRoutes, deps);
      await v1.register(taskEventRoutes, deps);
      await v1.register(jobTypeRoutes, deps);
      await v1.register(adminRoutes, deps);
      await v1.register(apiKeyRoutes, deps);
      await v1.register(scheduleRoutes, deps);
      await v1.register(workflowRoutes, deps);
      await v1.register(taskControlRoutes, deps);
      await v1.register(taskBatchRoutes, deps);
      await v1.register(jobTypeControlRoutes, deps);
      await v1.register(adminSettingsRoutes, deps);
      await v1.register(processorRoutes, deps);
    },
    { prefix: '/v1' },
  );
  // The seeds' own APIs, unchanged for their clients (each authenticates in its own scope).
  await app.register(requestManagerRoutes, deps);
  await app.register(jobRequestRoutes, deps);
}

/** The gateway's Fastify instance, from its dependencies (startGateway builds them; tests may too). */
export async function buildApp(deps: GatewayDeps): Promise<FastifyInstance> {
  // Typed as Fastify's base logger so the instance keeps Fastify's default generics (plugins expect them).
  const loggerInstance: FastifyBaseLogger = deps.logger;
  const app = Fastify({
    loggerInstance,
    // Requests are logged by the observability plugin, with the query-string key redacted.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: 1024 * 1024,
    requestTimeout: (deps.timeouts ?? HTTP_TIMEOUTS).requestMs,
    connectionTimeout: (deps.timeouts ?? HTTP_TIMEOUTS).connectionMs,
    keepAliveTimeout: (deps.timeouts ?? HTTP_TIMEOUTS).keepAliveMs,
    genReqId: () => randomUUID(),
    // The router's and Node's parser's refusals in the API's error format too.
    frameworkErrors,
    clientErrorHandler,
    // Reject unknown body fields rather than silently drop them; coerce only query strings' scalars.
    ajv: { customOptions: { removeAdditional: false, allErrors: true, coerceTypes: 'array', useDefaults: true } },
    schemaController: { compilersFactory: sharedSchemaCompilers() },
  });
  // The API speaks JSON (and multipart for uploads); a text body is a mistake, not a string to accept.
  app.removeContentTypeParser('text/plain');
  for (const schema of [...ERROR_SCHEMAS, ...SHARED_SCHEMAS, ...JOB_REQUEST_SCHEMAS, ...jobTypeSchemas(deps.catalog)]) app.addSchema(schema);
  const consoleDir = consoleBuilt(deps.consoleDir) ? deps.consoleDir : undefined;
  await app.register(errorsPlugin, { notFoundFallback: consoleDir ? consoleFallback : undefined });
  await app.register(observabilityPlugin, { metrics: deps.metrics });
  await app.register(nulGuardPlugin);
  await app.register(securityHeadersPlugin, { objectStoreOrigin: deps.objectStoreOrigin });
  await registerDocs(app);
  await app.register(multipart, { throwFileSizeLimit: false });
  await app.register(healthRoutes, deps);
  await registerApi(app, deps);
  if (consoleDir) await app.register(consolePlugin, { dir: consoleDir });
  return app;
}
