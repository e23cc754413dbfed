import type { FastifyPluginAsync } from 'fastify';
import { apiErrors } from '../api-errors';
import { SubmitFieldsSchema } from '../api-schemas';
import { MAX_BATCH, type BatchItem } from '../batch-submission';
import { submitRateLimit } from '../plugins/submit-rate-limit';
import { submitTag } from '../tag-access';
import type { GatewayDeps } from '../deps';

const itemResult = {
  type: 'object',
  required: ['index'],
  properties: {
    index: { type: 'integer', description: 'The item\'s place in `tasks`' },
    id: { $ref: 'TaskId#' },
    status: { type: 'string' },
    error: {
      type: 'object',
      required: ['code', 'message'],
      properties: { code: { type: 'string' }, message: { type: 'string' }, details: {} },
      description: 'Why this item was refused (it was not stored)',
    },
  },
} as const;

/** `POST /v1/tasks:batch`: up to 1,000 tasks, each accepted or refused on its own. */
export const taskBatchRoutes: FastifyPluginAsync<GatewayDeps> = async (app, { batchSubmission }) => {
  app.post<{ Body: { tasks: BatchItem[] } }>(
    '/tasks::batch',
    {
      // A batch is one submission request toward the key's submitsPerMinute.
      config: { rateLimit: submitRateLimit },
      schema: {
        operationId: 'submitBatch',
        summary: 'Submit up to 1,000 tasks in one request',
        description:
          'Each item is what POST /v1/tasks takes as JSON (no uploads, no Idempotency-Key). Every item is accepted or refused on its own; the answer has one result per item, in order: its id and status, or the error that refused it (e.g. quota-exceeded past the unfinished limit).',
        tags: ['tasks'],
        body: {
          type: 'object',
          additionalProperties: false,
          required: ['tasks'],
          properties: { tasks: { type: 'array', minItems: 1, maxItems: MAX_BATCH, items: SubmitFieldsSchema } },
        },
        response: {
          200: {
            type: 'object',
            required: ['accepted', 'rejected', 'results'],
            properties: {
              accepted: { type: 'integer' },
              rejected: { type: 'integer' },
              results: { type: 'array', items: itemResult },
            },
          },
          ...apiErrors(429, 503),
        },
      },
    },
    async (request) => {
      // A key limited to tags submits a batch of those tags only, as it submits single tasks.
      const tasks = request.body.tasks.map((t) => ({ ...t, tag: submitTag(request.principal, t.tag) }));
      const results = await batchSubmission.submit(request.principal.principal, tasks);
      const accepted = results.filter((r) => 'id' in r).length;
      return { accepted, rejected: results.length - accepted, results };
    },
  );
};
