import type { FastifyInstance, RouteOptions } from 'fastify';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import { addApiErrors } from './api-errors';

/**
 * The OpenAPI document at /docs/json (Swagger UI at /docs). It is linted with Redocly's recommended rules
 * and Spectral's `spectral:oas` (test/openapi.test.ts) and fuzzed with schemathesis (test/fuzz.test.ts),
 * so what it says is what the gateway serves. Route conventions: /work/coord/OPENAPI.md, README.md.
 */

/** Every operation's first tag is one of these (Spectral: operation-tag-defined). */
export const API_TAGS = [
  { name: 'tasks', description: 'Submit, list, watch, cancel a task; read its logs and artifacts' },
  { name: 'job types', description: 'What can be submitted: the types, their params schemas and limits' },
  { name: 'me', description: 'Who an API key belongs to' },
  { name: 'workflows', description: 'Stages of job types run as one parent task: chains, a fan-out with its fan-in, an on-failure stage; cancel, retry from the failed stage' },
  { name: 'schedules', description: 'Cron schedules that submit a task at each occurrence; their next runs and history' },
  { name: 'admin', description: 'Needs an admin key: queues, dead letters and their replay' },
  { name: 'overview', description: 'What the platform is doing: throughput, waits, run times and failure reasons over time (users see their own)' },
  { name: 'health', description: 'Probes and metrics for the platform; no key needed' },
  { name: 'processors', description: 'HTTP processors of job types processed outside (processor keys): claim with a lease, heartbeat, upload, complete' },
  { name: 'request-manager', description: "Seed 000's Request Manager API, unchanged for its clients: a user's requests of a type, numeric statuses" },
  { name: 'job-requests', description: "Seed 001's on-demand job request API, in its own envelope (errors too)" },
];

const METHODS_WITH_BODY = new Set(['POST', 'PUT', 'PATCH']);

const hasInput = (route: RouteOptions): boolean =>
  Boolean(route.schema && (route.schema.params || route.schema.querystring || route.schema.headers || route.schema.body));

const methods = (route: RouteOptions): string[] => (Array.isArray(route.method) ? route.method : [route.method]);

/**
 * The error statuses every route of a kind answers, so routes list only their own: 431 for any (headers
 * over 16 KB), 400 for any route with a validated input or a path (a broken percent-encoding), 414 for a
 * path parameter over 100 characters, 408, 413 and 415 for any route that takes a body. Auth adds 401,
 * admin 403.
 */
function documentInputErrors(route: RouteOptions): void {
  if (!route.schema || route.schema.hide) return;
  addApiErrors(route, 431);
  if (route.url.includes(':')) addApiErrors(route, 400, 414);
  if (methods(route).some((m) => METHODS_WITH_BODY.has(m))) addApiErrors(route, 400, 408, 413, 415);
  else if (hasInput(route)) addApiErrors(route, 400);
}

export async function registerDocs(app: FastifyInstance): Promise<void> {
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Taskyard API',
        version: '1.0.0',
        description:
          'Background jobs: submit, watch, cancel, download. Every error answers `{error: {code, message, details?}}`; `code` is one of the enums below.',
        contact: { name: 'Taskyard maintainers' },
        license: { name: 'Proprietary', identifier: 'LicenseRef-Proprietary' },
      },
      servers: [{ url: '/', description: 'The gateway serving this document' }],
      tags: API_TAGS,
      components: {
        securitySchemes: {
          apiKey: { type: 'http', scheme: 'bearer', description: 'Authorization: Bearer <api key>' },
          adminKey: { type: 'http', scheme: 'bearer', description: 'Authorization: Bearer <api key> of a key with the admin role (a user key gets 403)' },
          accessToken: { type: 'apiKey', in: 'query', name: 'access_token', description: 'The API key in the query string, for EventSource (it cannot send headers); only where listed' },
        },
      },
      security: [{ apiKey: [] }],
    },
    refResolver: { buildLocalReference: (json, _base, _fragment, i) => String(json.$id ?? `def-${i}`) },
  });
  app.addHook('onRoute', documentInputErrors);
  // Swagger UI sends its own Content-Security-Policy for its pages (hashes of the scripts it inlines). Its
  // renderer also sets inline styles, which that policy would block: styles only are let through, there.
  await app.register(swaggerUi, {
    routePrefix: '/docs',
    staticCSP: true,
    transformStaticCSP: (header) => header.replace(/style-src ([^;]*)/, "style-src $1 'unsafe-inline'"),
  });
}
