import type { FastifyPluginAsync } from 'fastify';
import { apiErrors } from '../api-errors';
import { taskIdParams } from '../api-schemas';
import type { GatewayDeps } from '../deps';

const statusUrl = (id: string): string => `/v1/tasks/${id}`;

const retryAnswer = {
  type: 'object',
  required: ['id', 'status', 'statusUrl', 'retryOf'],
  properties: {
    id: { $ref: 'TaskId#' },
    status: { type: 'string' },
    statusUrl: { type: 'string' },
    retryOf: { $ref: 'TaskId#' },
  },
} as const;

const bulkRetryAnswer = {
  type: 'object',
  required: ['retried', 'skipped', 'more'],
  properties: {
    retried: { type: 'array', items: { type: 'object', properties: { taskId: { type: 'string' }, newTaskId: { type: 'string' } } } },
    skipped: { type: 'array', items: { type: 'object', properties: { taskId: { type: 'string' }, reason: { type: 'string' } } } },
    more: { type: 'boolean', description: 'More matched than one request retries (200): call again' },
  },
} as const;

/** Retry and delete of a task (its owner or an admin), and "retry every failed task of a type since". */
export const taskControlRoutes: FastifyPluginAsync<GatewayDeps> = async (app, { taskControl }) => {
  app.post<{ Params: { id: string } }>(
    '/tasks/:id/retry',
    {
      schema: {
        operationId: 'retryTask',
        summary: 'Retry a failed or cancelled task as a new linked task',
        description:
          'The retry is a NEW task (`retryOf` names the old one, which keeps its status, error and logs). A task is retried at most once: a repeat answers 200 with the same retry. 409 for a task that is not failed or cancelled; 404 for another owner\'s.',
        tags: ['tasks'],
        params: taskIdParams,
        response: { 200: retryAnswer, 202: retryAnswer, ...apiErrors(404, 409, 429, 503) },
      },
    },
    async (request, reply) => {
      const r = await taskControl.retry(request.principal, request.params.id);
      return reply
        .code(r.created ? 202 : 200)
        .header('location', statusUrl(r.id))
        .send({ id: r.id, status: r.status, statusUrl: statusUrl(r.id), retryOf: r.retryOf });
    },
  );

  app.post<{ Body: { type: string; since: string; owner?: string } }>(
    '/tasks::retry',
    {
      schema: {
        operationId: 'retryFailedTasks',
        summary: 'Retry every failed task of a type that finished since a time',
        description: "The caller's own tasks; an admin's: everyone's, or one owner's. At most 200 per request (`more` says when to call again); `since` within the last 31 days.",
        tags: ['tasks'],
        body: {
          type: 'object',
          additionalProperties: false,
          required: ['type', 'since'],
          properties: {
            type: { type: 'string', minLength: 1, maxLength: 64 },
            since: { type: 'string', format: 'date-time' },
            owner: { type: 'string', maxLength: 128, description: 'Admins only: one owner' },
          },
        },
        response: { 200: bulkRetryAnswer, ...apiErrors(503) },
      },
    },
    async (request) => taskControl.retryFailed(request.principal, request.body.type, new Date(request.body.since), request.body.owner),
  );

  app.delete<{ Params: { id: string } }>(
    '/tasks/:id',
    {
      schema: {
        operationId: 'deleteTask',
        summary: 'Delete a finished task with its logs and artifacts',
        description: '202: the status service deletes the task, its logs and its files; it then answers 404. 409 while the task has not finished; 404 for another owner\'s.',
        tags: ['tasks'],
        params: taskIdParams,
        response: {
          202: { type: 'object', required: ['id', 'status'], properties: { id: { $ref: 'TaskId#' }, status: { type: 'string', enum: ['deleting'] } } },
          ...apiErrors(404, 409, 503),
        },
      },
    },
    async (request, reply) => reply.code(202).send(await taskControl.remove(request.principal, request.params.id)),
  );
};
