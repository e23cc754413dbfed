import type { FastifyPluginAsync } from 'fastify';
import { errorResponses } from '../api-schemas';
import type { GatewayDeps } from '../deps';

const freeObject = { type: 'object', additionalProperties: true } as const;

export const jobTypeRoutes: FastifyPluginAsync<GatewayDeps> = async (app, { catalog }) => {
  app.get(
    '/job-types',
    {
      schema: {
        summary: 'The job types, with the JSON Schema of their params and their limits',
        tags: ['job types'],
        response: {
          200: {
            type: 'object',
            required: ['items'],
            properties: {
              items: {
                type: 'array',
                items: {
                  type: 'object',
                  required: ['type', 'title', 'description', 'paramsSchema', 'limits'],
                  properties: {
                    type: { type: 'string' },
                    title: { type: 'string' },
                    description: { type: 'string' },
                    paramsSchema: freeObject,
                    limits: freeObject,
                    upload: {
                      type: 'object',
                      properties: { maxBytes: { type: 'integer' }, maxUncompressedBytes: { type: 'integer' }, maxEntries: { type: 'integer' } },
                    },
                  },
                },
              },
            },
          },
          ...errorResponses,
        },
      },
    },
    async () => ({
      items: catalog.list().map((d) => ({
        type: d.type,
        title: d.title,
        description: d.description,
        paramsSchema: d.paramsSchema,
        limits: d.limits,
        ...(d.upload ? { upload: d.upload } : {}),
      })),
    }),
  );
};
