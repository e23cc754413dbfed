import type { FastifyPluginAsync } from 'fastify';
import type { GatewayDeps } from '../deps';
import { paramsSchemaId } from '../job-type-schemas';


export const jobTypeRoutes: FastifyPluginAsync<GatewayDeps> = async (app, { catalog }) => {
  app.get(
    '/job-types',
    {
      schema: {
        operationId: 'listJobTypes',
        summary: 'The job types, with the JSON Schema of their params and their limits',
        description: 'What this gateway accepts: each type\'s params (a JSON Schema, also in this document as `<Type>Params`), its limits and, for types that take a zip, its upload limits.',
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
                  required: ['type', 'title', 'description', 'paramsSchema', 'paramsRef', 'limits'],
                  properties: {
                    type: { type: 'string' },
                    title: { type: 'string' },
                    description: { type: 'string' },
                    paramsSchema: {
                      type: 'object',
                      additionalProperties: true,
                      description: 'The JSON Schema `params` must match (in this document: `<Type>Params`, e.g. SpellingReportParams)',
                    },
                    processedOutside: { type: 'boolean', description: 'Run by HTTP processors (POST /v1/job-types/{type}/claim), not by a Taskyard worker' },
                    paramsRef: { type: 'string', description: 'Where this document has the params schema, e.g. #/components/schemas/SpellingReportParams' },
                    limits: { $ref: 'JobLimits#' },
                    upload: { $ref: 'UploadLimits#' },
                  },
                },
              },
            },
          },
        },
      },
    },
    async () => ({
      items: catalog.list().map((d) => ({
        type: d.type,
        title: d.title,
        description: d.description,
        paramsSchema: d.paramsSchema,
        paramsRef: `#/components/schemas/${paramsSchemaId(d.type)}`,
        limits: d.limits,
        processedOutside: Boolean(d.processedOutside),
        ...(d.upload ? { upload: d.upload } : {}),
      })),
    }),
  );
};
