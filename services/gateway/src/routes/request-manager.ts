import type { FastifyPluginAsync } from 'fastify';
import { REQUEST_TYPE_NAMES, type RequestReport, type RequestSubmission } from '@taskyard/contracts';
import type { KeyLookup } from '../api-keys';
import { apiErrors } from '../api-errors';
import { authPlugin } from '../plugins/auth';
import type { RequestManager } from '../request-manager';
import { requireProcessor } from './processors';

export interface RequestManagerRouteDeps {
  keys: KeyLookup;
  requestManager: RequestManager;
}

const profileId = { type: 'string', pattern: '^[A-Za-z0-9._-]{1,64}$', description: "The user's profile id" } as const;
const requestTypeName = {
  type: 'string',
  minLength: 1,
  maxLength: 64,
  description: `A request type: ${Object.keys(REQUEST_TYPE_NAMES).join(', ')}`,
  examples: Object.keys(REQUEST_TYPE_NAMES),
} as const;
const STATUS_DOC = 'Numeric status: 0 Not started (scheduled or queued), 1 In-Process (running or retrying), 2 Finished (succeeded; also expired, its files since deleted), 3 Failed (failed or cancelled).';

/**
 * Seed 000's Request Manager API, unchanged for its clients: submit and list a user's requests of a type,
 * and `PUT /requests/:requestId` for the external processor holding a request. Errors in the platform's
 * own body, `{error: {code, message}}`.
 */
export const requestManagerRoutes: FastifyPluginAsync<RequestManagerRouteDeps> = async (app, deps) => {
  await app.register(authPlugin, { keys: deps.keys });

  app.post<{ Body: RequestSubmission }>(
    '/requests',
    {
      schema: {
        operationId: 'submitRequest',
        summary: 'Seed 000: submit a request',
        description:
          'A task of the job type the request type maps to, owned by `<key principal>/<profileId>`: one user may have as many unfinished requests of a type as the type allows (429 past it). `requestDetail` is the job\'s params, as JSON text or an object.',
        tags: ['request-manager'],
        body: {
          type: 'object',
          additionalProperties: false,
          required: ['type', 'profileId'],
          properties: {
            type: requestTypeName,
            title: { type: 'string', maxLength: 200 },
            profileId: { anyOf: [{ type: 'integer', minimum: 0 }, profileId] },
            requestDetail: { anyOf: [{ type: 'string', maxLength: 100_000 }, { type: 'object', additionalProperties: true }] },
          },
        },
        response: { 200: { type: 'object', required: ['requestId'], properties: { requestId: { type: 'string' } } }, ...apiErrors(429, 503) },
      },
    },
    async (request) => deps.requestManager.submit(request.principal, request.body),
  );

  app.get<{ Params: { requestType: string; userProfileId: string } }>(
    '/requests/:requestType/:userProfileId',
    {
      schema: {
        operationId: 'listRequests',
        summary: "Seed 000: a user's requests of one type, newest first",
        description: `At most 100. Artifacts are fresh download URLs. ${STATUS_DOC}`,
        tags: ['request-manager'],
        params: { type: 'object', required: ['requestType', 'userProfileId'], properties: { requestType: requestTypeName, userProfileId: profileId } },
        response: {
          200: {
            type: 'array',
            items: {
              type: 'object',
              required: ['requestId', 'title', 'artifacts', 'status', 'errorMessage'],
              properties: {
                requestId: { type: 'string' },
                title: { type: 'string' },
                artifacts: { type: 'array', items: { type: 'string' } },
                status: { type: 'integer', enum: [0, 1, 2, 3], description: STATUS_DOC },
                errorMessage: { type: 'string' },
              },
            },
          },
          ...apiErrors(503),
        },
      },
    },
    async (request) => deps.requestManager.list(request.principal, request.params.requestType, request.params.userProfileId),
  );

  app.put<{ Params: { requestId: string }; Body: RequestReport }>(
    '/requests/:requestId',
    {
      onRequest: requireProcessor,
      schema: {
        operationId: 'reportRequest',
        summary: 'Seed 000: the processor holding a request reports on it',
        description:
          'For processor keys, on a request they claimed (`POST /v1/job-types/{type}/claim`). Status 1 keeps the lease, 2 finishes with the artifacts (uploaded file names or paths ending in them, or URLs), 3 fails with `errorMessage`. 409 when the lease has passed or the request was already reported.',
        tags: ['request-manager', 'processors'],
        params: { type: 'object', required: ['requestId'], properties: { requestId: { type: 'string', minLength: 1, maxLength: 64 } } },
        body: {
          type: 'object',
          additionalProperties: false,
          required: ['status'],
          properties: {
            status: { type: 'integer', enum: [0, 1, 2, 3], description: STATUS_DOC },
            artifacts: { type: 'array', maxItems: 100, items: { type: 'string', minLength: 1, maxLength: 2048 } },
            errorMessage: { type: 'string', maxLength: 2000 },
          },
        },
        response: {
          200: { type: 'object', required: ['requestId', 'status'], properties: { requestId: { type: 'string' }, status: { type: 'integer' } } },
          ...apiErrors(403, 404, 409, 503),
        },
      },
    },
    async (request) => deps.requestManager.report(request.principal, request.params.requestId, request.body),
  );
};
