import type { FastifyPluginAsync } from 'fastify';
import { apiErrors } from '../api-errors';
import type { GatewayDeps } from '../deps';
import { adminOnly } from '../plugins/auth';

const typeParams = { type: 'object', required: ['type'], properties: { type: { type: 'string', minLength: 1, maxLength: 64 } } } as const;
const pauseAnswer = { type: 'object', required: ['type', 'paused'], properties: { type: { type: 'string' }, paused: { type: 'boolean' } } } as const;

/** Admin only: pause and resume a job type, purge its dead letters. */
export const jobTypeControlRoutes: FastifyPluginAsync<GatewayDeps> = async (app, { catalog, jobTypeControl }) => {
  adminOnly(app);

  app.post<{ Params: { type: string } }>(
    '/admin/job-types/:type/pause',
    {
      schema: {
        operationId: 'pauseJobType',
        summary: 'Pause a job type: its workers take no new tasks, running ones finish',
        description: 'Submits are still accepted and wait in the queue. The pause survives restarts; it shows in GET /v1/admin/queues and as taskyard_job_type_paused in /metrics.',
        tags: ['admin'],
        params: typeParams,
        response: { 200: pauseAnswer, ...apiErrors(503) },
      },
    },
    async (request) => jobTypeControl.pause(catalog.get(request.params.type).type, request.principal.principal),
  );

  app.post<{ Params: { type: string } }>(
    '/admin/job-types/:type/resume',
    {
      schema: {
        operationId: 'resumeJobType',
        summary: 'Resume a paused job type: its workers drain the backlog',
        description: 'Workers take the command at once (and re-read the state every few seconds); the tasks that waited start in queue order.',
        tags: ['admin'],
        params: typeParams,
        response: { 200: pauseAnswer, ...apiErrors(503) },
      },
    },
    async (request) => jobTypeControl.resume(catalog.get(request.params.type).type),
  );

  app.delete<{ Params: { type: string } }>(
    '/admin/dead-letters/:type',
    {
      schema: {
        operationId: 'purgeDeadLetters',
        summary: "Purge a job type's dead letters",
        description: 'Removes every message of `tasks.<type>.dead`; the failed tasks themselves stay as they are.',
        tags: ['admin'],
        params: typeParams,
        response: {
          200: { type: 'object', required: ['type', 'purged'], properties: { type: { type: 'string' }, purged: { type: 'integer', description: 'Dead letters removed' } } },
          ...apiErrors(503),
        },
      },
    },
    async (request) => jobTypeControl.purgeDeadLetters(catalog.get(request.params.type).type),
  );
};
