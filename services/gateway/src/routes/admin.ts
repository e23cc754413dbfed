import type { FastifyPluginAsync } from 'fastify';
import { apiErrors } from '../api-errors';
import { MAX_READ } from '../dead-letters';
import type { GatewayDeps } from '../deps';
import { ManagementUnavailable } from '../errors';
import { adminOnly } from '../plugins/auth';
import { queueFigures } from '../queue-figures';

const typeParams = { type: 'object', required: ['type'], properties: { type: { type: 'string', minLength: 1, maxLength: 64 } } } as const;

const deadLetterSchema = {
  type: 'object',
  required: ['taskId', 'title', 'owner', 'attempt', 'error', 'deadAt'],
  properties: {
    taskId: { $ref: 'TaskId#' },
    title: { type: 'string' },
    owner: { type: 'string' },
    attempt: { type: 'integer' },
    error: { $ref: 'TaskError#' },
    deadAt: { type: ['string', 'null'], format: 'date-time' },
  },
} as const;

/** Admin only (403 for a user key): queue depths from the management API, dead letters and their replay. */
export const adminRoutes: FastifyPluginAsync<GatewayDeps> = async (app, { catalog, management, deadLetters, jobTypeControl }) => {
  adminOnly(app);

  app.get(
    '/admin/queues',
    {
      schema: {
        operationId: 'listQueues',
        summary: 'Depth, unacked messages, consumers and dead letters of each job type queue',
        description: 'From the RabbitMQ management API (503 `management-unavailable` when it is not configured or does not answer).',
        tags: ['admin'],
        response: {
          200: {
            type: 'object',
            required: ['items'],
            properties: {
              items: {
                type: 'array',
                items: {
                  type: 'object',
                  required: ['type', 'queue', 'ready', 'unacked', 'consumers', 'dead'],
                  properties: {
                    type: { type: 'string' },
                    queue: { type: 'string' },
                    ready: { type: 'integer' },
                    unacked: { type: 'integer' },
                    consumers: { type: 'integer' },
                    dead: { type: 'integer' },
                    paused: { type: 'boolean', description: 'Its workers take no new tasks (POST /v1/admin/job-types/:type/resume)' },
                  },
                },
              },
              managementUrl: { type: 'string' },
            },
          },
          ...apiErrors(503),
        },
      },
    },
    async () => {
      if (!management) throw new ManagementUnavailable('no RabbitMQ management URL is configured (RABBITMQ_MANAGEMENT_URL)');
      const [stats, paused] = await Promise.all([management.queues(), jobTypeControl.pausedTypes()]);
      // Dead letters counted by the broker itself, as the dead-letter list counts them: the management
      // API's figures are samples that lag by seconds.
      const dead = await Promise.all(catalog.list().map((d) => deadLetters.count(d.type)));
      const items = queueFigures(catalog.list().map((d) => d.type), stats).map((q, i) => ({ ...q, dead: dead[i], paused: paused.has(q.type) }));
      return { items, managementUrl: management.publicUrl };
    },
  );

  app.get<{ Params: { type: string } }>(
    '/admin/dead-letters/:type',
    {
      schema: {
        operationId: 'listDeadLetters',
        summary: "A job type's dead letters (read without removing them)",
        description: 'The tasks whose last attempt failed or that expired in their queue, oldest first.',
        tags: ['admin'],
        params: typeParams,
        response: {
          200: {
            type: 'object',
            required: ['items', 'total'],
            properties: {
              items: { type: 'array', maxItems: MAX_READ, items: deadLetterSchema },
              total: { type: 'integer', description: `Every dead letter of the type; the list shows the first ${MAX_READ}` },
            },
          },
          ...apiErrors(400, 503),
        },
      },
    },
    async (request) => deadLetters.peek(catalog.get(request.params.type).type),
  );

  app.post<{ Params: { type: string }; Body: { taskIds?: string[] } | undefined }>(
    '/admin/dead-letters/:type/replay',
    {
      schema: {
        operationId: 'replayDeadLetters',
        summary: 'Submit dead tasks again as new tasks of their owners',
        description: `Each replay is a NEW task (the dead one stays failed) with the same tag, callback URL and parent, taking a place under its owner's limit; its dead letter is removed once the new task is accepted. Without \`taskIds\` (or without a body), every dead letter of the type is replayed (the first ${MAX_READ} per request). Ids that are not dead letters of the type come back in \`unknown\`.`,
        tags: ['admin'],
        params: typeParams,
        body: {
          type: 'object',
          additionalProperties: false,
          properties: { taskIds: { type: 'array', maxItems: 500, items: { type: 'string', minLength: 1, maxLength: 64 } } },
        },
        response: {
          200: {
            type: 'object',
            required: ['replayed', 'skipped', 'unknown'],
            properties: {
              replayed: {
                type: 'array',
                items: { type: 'object', required: ['taskId', 'newTaskId'], properties: { taskId: { $ref: 'TaskId#' }, newTaskId: { $ref: 'TaskId#' } } },
              },
              skipped: {
                type: 'array',
                description: 'Dead letters left in place, with why (e.g. their owner is at the unfinished limit)',
                items: { type: 'object', required: ['taskId', 'reason'], properties: { taskId: { type: 'string' }, reason: { type: 'string' } } },
              },
              unknown: { type: 'array', items: { type: 'string' }, description: 'Asked-for ids that are not dead letters of this type' },
            },
          },
          ...apiErrors(503),
        },
      },
      // No body at all means "replay all", as an empty object does (the schema would refuse `undefined`).
      preValidation: async (request) => {
        request.body ??= {};
      },
    },
    async (request) => deadLetters.replay(catalog.get(request.params.type).type, request.body?.taskIds),
  );
};
