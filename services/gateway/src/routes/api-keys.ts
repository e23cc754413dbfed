import type { FastifyPluginAsync } from 'fastify';
import { apiErrors } from '../api-errors';
import type { GatewayDeps } from '../deps';
import type { NewKey } from '../managed-keys';
import { adminOnly } from '../plugins/auth';

const name = { type: 'string', minLength: 1, maxLength: 128, pattern: '^[^\\u0000]*$' } as const;

const keyViewSchema = {
  $id: 'ApiKeyView',
  type: 'object',
  required: ['id', 'prefix', 'principal', 'role', 'createdAt', 'createdBy', 'lastUsedAt'],
  properties: {
    id: { type: 'string' },
    prefix: { type: 'string', description: 'The first characters of the key, to tell keys apart' },
    principal: { type: 'string' },
    role: { type: 'string', enum: ['user', 'admin'] },
    tags: { type: 'array', items: { type: 'string' }, description: 'The only tags the key may submit and see; absent: all' },
    submitsPerMinute: { type: 'integer', description: 'Submissions allowed per minute; absent: no cap' },
    label: { type: 'string' },
    createdAt: { type: 'string', format: 'date-time' },
    createdBy: { type: 'string' },
    lastUsedAt: { type: ['string', 'null'], format: 'date-time', description: 'Recorded to the minute' },
  },
} as const;

const keyIdParams = { type: 'object', required: ['id'], properties: { id: { type: 'string', minLength: 1, maxLength: 64 } } } as const;

/**
 * Admin only: API keys kept in the database, effective at once without a restart (the configured keys stay
 * as a bootstrap). A key is shown once, when created; only its hash is stored.
 */
export const apiKeyRoutes: FastifyPluginAsync<GatewayDeps> = async (app, { managedKeys }) => {
  app.addSchema(keyViewSchema);
  adminOnly(app);

  app.post<{ Body: NewKey }>(
    '/admin/api-keys',
    {
      schema: {
        operationId: 'createApiKey',
        summary: 'Create an API key',
        description: 'The answer holds the key itself (`key`), shown this once: only its hash is kept.',
        tags: ['admin'],
        body: {
          type: 'object',
          required: ['principal', 'role'],
          additionalProperties: false,
          properties: {
            principal: { ...name, description: 'Who the key acts for: the owner of the tasks it submits' },
            role: { type: 'string', enum: ['user', 'admin'] },
            tags: { type: 'array', maxItems: 50, uniqueItems: true, items: name, description: 'Limit the key to these tags (tenants)' },
            submitsPerMinute: { type: 'integer', minimum: 1, maximum: 100_000 },
            label: { type: 'string', maxLength: 200, pattern: '^[^\\u0000]*$' },
          },
        },
        response: {
          201: { type: 'object', required: ['key', 'apiKey'], properties: { key: { type: 'string' }, apiKey: { $ref: 'ApiKeyView#' } } },
          ...apiErrors(503),
        },
      },
    },
    async (request, reply) => {
      const created = await managedKeys.create(request.body, request.principal.principal);
      request.log.info({ keyId: created.view.id, principal: created.view.principal, role: created.view.role }, 'API key created');
      return reply.code(201).send({ key: created.key, apiKey: created.view });
    },
  );

  app.get(
    '/admin/api-keys',
    {
      schema: {
        operationId: 'listApiKeys',
        summary: 'The API keys created through the API (not the configured bootstrap keys), newest first',
        description: 'Each with its principal, role, tags, rate limit and when it was last used; never the key itself.',
        tags: ['admin'],
        response: {
          200: { type: 'object', required: ['items'], properties: { items: { type: 'array', items: { $ref: 'ApiKeyView#' } } } },
          ...apiErrors(503),
        },
      },
    },
    async () => ({ items: await managedKeys.list() }),
  );

  app.delete<{ Params: { id: string } }>(
    '/admin/api-keys/:id',
    {
      schema: {
        operationId: 'revokeApiKey',
        summary: 'Revoke an API key',
        description: 'Refused at once by this gateway, and within seconds by every other.',
        tags: ['admin'],
        params: keyIdParams,
        response: { 200: { $ref: 'ApiKeyView#' }, ...apiErrors(404, 503) },
      },
    },
    async (request) => {
      const revoked = await managedKeys.revoke(request.params.id);
      request.log.info({ keyId: revoked.id, principal: revoked.principal }, 'API key revoked');
      return revoked;
    },
  );
};
