import type { FastifyPluginAsync } from 'fastify';
import { apiErrors } from '../api-errors';
import type { GatewayDeps } from '../deps';

const counts = { type: 'array', items: { type: 'integer' } } as const;
const windowSchema = {
  type: 'object',
  required: ['stepSeconds', 'from', 'points', 'series'],
  properties: {
    stepSeconds: { type: 'integer', description: 'Length of one period: 60 (the hour, per minute) or 3600 (the day, per hour)' },
    from: { type: 'string', format: 'date-time', description: 'Start of the first period' },
    points: { type: 'integer' },
    series: {
      type: 'array',
      items: {
        type: 'object',
        required: ['type', 'started', 'succeeded', 'failed'],
        properties: { type: { type: 'string' }, started: counts, succeeded: counts, failed: counts },
      },
    },
  },
} as const;
const ms = { type: 'integer', description: 'Milliseconds (interpolated inside a histogram bucket)' } as const;

export const overviewRoutes: FastifyPluginAsync<GatewayDeps> = async (app, { overview }) => {
  app.get(
    '/overview',
    {
      schema: {
        operationId: 'getOverview',
        summary: 'What the platform is doing: tasks per minute and hour, waits and run times, failure reasons, queues',
        description:
          "An admin sees every task, a user their own. Attempts started and tasks succeeded and failed per job type per minute over the last hour and per hour over the last day; each type's queue wait and run time (p50/p95) over the last hour; the most frequent failure reasons of the last day; each queue's depth and consumers (absent without the broker's management API). From the counters the status service folds (a few seconds behind), never a read of the tasks.",
        tags: ['overview'],
        response: {
          200: {
            type: 'object',
            required: ['scope', 'generatedAt', 'hour', 'day', 'latency', 'failures'],
            properties: {
              scope: { type: 'string', enum: ['all', 'own'] },
              generatedAt: { type: 'string', format: 'date-time' },
              hour: windowSchema,
              day: windowSchema,
              latency: {
                type: 'array',
                items: {
                  type: 'object',
                  required: ['type', 'started'],
                  properties: { type: { type: 'string' }, started: { type: 'integer' }, waitP50Ms: ms, waitP95Ms: ms, runP50Ms: ms, runP95Ms: ms },
                },
              },
              failures: {
                type: 'array',
                items: {
                  type: 'object',
                  required: ['type', 'code', 'count'],
                  properties: { type: { type: 'string' }, code: { type: 'string' }, count: { type: 'integer' }, message: { type: 'string' } },
                },
              },
              queues: {
                type: 'array',
                items: {
                  type: 'object',
                  required: ['type', 'ready', 'unacked', 'consumers'],
                  properties: { type: { type: 'string' }, ready: { type: 'integer' }, unacked: { type: 'integer' }, consumers: { type: 'integer' } },
                },
              },
            },
          },
          ...apiErrors(503),
        },
      },
    },
    async (request) => overview.view(request.principal.role === 'admin' ? undefined : request.principal.principal),
  );
};
