import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import type { CompletionReport, UploadTicket } from '@taskyard/contracts';
import { artifactKey, type ObjectStore } from '@taskyard/storage';
import { apiErrors } from '../api-errors';
import { taskIdParams } from '../api-schemas';
import { Forbidden } from '../errors';
import type { ProcessorLeases } from '../processor-leases';
import { ARTIFACT_NAME, settlementOf } from '../processor-reports';

export interface ProcessorRouteDeps {
  leases: ProcessorLeases;
  store: ObjectStore;
  presignSeconds: number;
}

/** Claims and reports are for processor keys (and admins). */
export async function requireProcessor(request: FastifyRequest): Promise<void> {
  if (request.principal.role !== 'processor' && request.principal.role !== 'admin') throw new Forbidden('this needs a processor (or admin) key');
}

const leaseId = { type: 'string', minLength: 1, maxLength: 64, description: 'The leaseId of the claim' } as const;

const ClaimedTaskSchema = {
  type: 'object',
  required: ['leaseId', 'leaseExpiresAt', 'task'],
  properties: {
    leaseId: { type: 'string' },
    leaseExpiresAt: { type: 'string', format: 'date-time' },
    task: {
      type: 'object',
      required: ['id', 'type', 'title', 'owner', 'params', 'attempt', 'maxAttempts', 'createdAt'],
      properties: {
        id: { type: 'string' },
        type: { type: 'string' },
        title: { type: 'string' },
        owner: { type: 'string' },
        tag: { type: 'string' },
        params: { type: 'object', additionalProperties: true },
        attempt: { type: 'integer' },
        maxAttempts: { type: 'integer' },
        createdAt: { type: 'string', format: 'date-time' },
      },
    },
  },
} as const;

const LeaseAnswerSchema = {
  type: 'object',
  required: ['leaseExpiresAt', 'cancelRequested'],
  properties: { leaseExpiresAt: { type: 'string', format: 'date-time' }, cancelRequested: { type: 'boolean' } },
} as const;

const artifactItem = {
  anyOf: [
    { type: 'string', minLength: 1, maxLength: 2048, description: 'An uploaded file name (or a path ending in it), or an http(s) URL' },
    { type: 'object', additionalProperties: false, required: ['name'], properties: { name: { type: 'string', minLength: 1, maxLength: 200 } } },
    {
      type: 'object',
      additionalProperties: false,
      required: ['url'],
      properties: { url: { type: 'string', minLength: 1, maxLength: 2048 }, name: { type: 'string', minLength: 1, maxLength: 200 } },
    },
  ],
} as const;

/**
 * HTTP processors of external job types (`/v1`): claim the next task of a type with a lease, heartbeat,
 * get an upload URL for an artifact, complete. A report after the lease passed gets 409.
 */
export const processorRoutes: FastifyPluginAsync<ProcessorRouteDeps> = async (app, deps) => {
  app.addHook('onRequest', requireProcessor);

  app.post<{ Params: { type: string }; Querystring: { processor?: string } }>(
    '/job-types/:type/claim',
    {
      schema: {
        operationId: 'claimTask',
        summary: 'Claim the next task of a job type processed outside, with a lease',
        description:
          'Answers 200 with the task and its lease, or 204 when none is waiting. Keep the lease with heartbeats; a processor that stops loses it and the task is offered again (a new attempt).',
        tags: ['processors'],
        params: { type: 'object', required: ['type'], properties: { type: { type: 'string', minLength: 1, maxLength: 64 } } },
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: { processor: { type: 'string', minLength: 1, maxLength: 100, pattern: '^[A-Za-z0-9._:@/-]+$', description: 'A name for the processor, shown as the task\'s worker' } },
        },
        response: { 200: ClaimedTaskSchema, 204: { description: 'No task of this type is waiting', type: 'null' }, ...apiErrors(403, 503) },
      },
    },
    async (request, reply) => {
      const claimed = await deps.leases.claim(request.principal, request.params.type, request.query.processor);
      return claimed ? claimed : reply.code(204).send();
    },
  );

  app.post<{ Params: { id: string }; Body: { leaseId: string; progress?: number } }>(
    '/tasks/:id/heartbeat',
    {
      schema: {
        operationId: 'heartbeatTask',
        summary: 'Keep the lease of a claimed task (and report progress)',
        description: 'Extends the lease by the type\'s `limits.leaseMs` from now; send it well within the lease. `cancelRequested` tells the processor to stop and complete as `cancelled`. 409 once the lease has passed.',
        tags: ['processors'],
        params: taskIdParams,
        body: {
          type: 'object',
          additionalProperties: false,
          required: ['leaseId'],
          properties: { leaseId, progress: { type: 'number', minimum: 0, maximum: 100 } },
        },
        response: { 200: LeaseAnswerSchema, ...apiErrors(403, 404, 409, 503) },
      },
    },
    async (request) => deps.leases.heartbeat(request.principal, request.params.id, request.body.leaseId, request.body.progress),
  );

  app.post<{ Params: { id: string }; Body: { leaseId: string; name: string; contentType?: string } }>(
    '/tasks/:id/uploads',
    {
      schema: {
        operationId: 'artifactUploadUrl',
        summary: 'A presigned URL to PUT one artifact of a claimed task to',
        description: 'PUT the file to `uploadUrl` with the same Content-Type, then name it in the completion\'s `artifacts`.',
        tags: ['processors'],
        params: taskIdParams,
        body: {
          type: 'object',
          additionalProperties: false,
          required: ['leaseId', 'name'],
          properties: {
            leaseId,
            name: { type: 'string', pattern: ARTIFACT_NAME.source, description: 'The file name, one path segment' },
            contentType: { type: 'string', maxLength: 200, pattern: '^[A-Za-z0-9!#$&^_.+-]+/[A-Za-z0-9!#$&^_.+-]+$', default: 'application/octet-stream' },
          },
        },
        response: {
          200: {
            type: 'object',
            required: ['name', 'uploadUrl', 'method', 'contentType', 'expiresAt'],
            properties: {
              name: { type: 'string' },
              uploadUrl: { type: 'string' },
              method: { type: 'string', enum: ['PUT'] },
              contentType: { type: 'string' },
              expiresAt: { type: 'string', format: 'date-time' },
            },
          },
          ...apiErrors(403, 404, 409, 503),
        },
      },
    },
    async (request): Promise<UploadTicket> => {
      const { task } = await deps.leases.held(request.principal, request.params.id, request.body.leaseId);
      const contentType = request.body.contentType ?? 'application/octet-stream';
      const uploadUrl = await deps.store.presignPut(artifactKey(task.type, task._id, request.body.name), deps.presignSeconds, contentType);
      return { name: request.body.name, uploadUrl, method: 'PUT', contentType, expiresAt: new Date(Date.now() + deps.presignSeconds * 1000).toISOString() };
    },
  );

  app.post<{ Params: { id: string }; Body: CompletionReport }>(
    '/tasks/:id/complete',
    {
      schema: {
        operationId: 'completeTask',
        summary: 'Report the outcome of a claimed task',
        description:
          '`succeeded` with the artifacts (uploaded file names, or URLs kept as given), `failed` with an error (`retry: true` queues another attempt while any are left), or `cancelled`. 409 when the lease has passed or the task was already reported.',
        tags: ['processors'],
        params: taskIdParams,
        body: {
          type: 'object',
          additionalProperties: false,
          required: ['leaseId', 'status'],
          properties: {
            leaseId,
            status: { type: 'string', enum: ['succeeded', 'failed', 'cancelled'] },
            artifacts: { type: 'array', maxItems: 100, items: artifactItem },
            error: {
              type: 'object',
              additionalProperties: false,
              required: ['message'],
              properties: { code: { type: 'string', minLength: 1, maxLength: 64 }, message: { type: 'string', maxLength: 2000 } },
            },
            retry: { type: 'boolean' },
            result: { type: 'object', additionalProperties: true, maxProperties: 100 },
          },
        },
        response: {
          200: { type: 'object', required: ['id', 'status'], properties: { id: { type: 'string' }, status: { type: 'string' } } },
          ...apiErrors(403, 404, 409, 503),
        },
      },
    },
    async (request) => {
      const lease = await deps.leases.held(request.principal, request.params.id, request.body.leaseId);
      await deps.leases.settle(lease, await settlementOf(deps.store, lease.task.type, lease.task._id, request.body));
      return { id: lease.task._id, status: request.body.status };
    },
  );
};
