import { randomUUID } from 'node:crypto';
import type { FastifyError, FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import {
  JOB_REQUEST_API_IDS,
  JOB_REQUEST_API_VERSION,
  JOB_REQUEST_JOB_IDS,
  responseCodeOf,
  type JobRequestApi,
  type JobRequestEnvelope,
  type JobRequestSubmission,
} from '@taskyard/contracts';
import type { KeyLookup } from '../api-keys';
import type { JobRequests } from '../job-requests';
import { JOB_REQUEST_ERRORS, envelopeSchema } from '../job-request-schemas';
import { authPlugin } from '../plugins/auth';
import { ERROR_STATUS } from '../errors';
import { translate } from '../plugins/errors';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Seed 001 routes: which API's envelope `id` the answer (error or not) carries. */
    jobRequestApi?: JobRequestApi;
  }
}

export interface JobRequestRouteDeps {
  keys: KeyLookup;
  jobRequests: JobRequests;
}

export const TAG = { type: 'string', pattern: '^[A-Za-z0-9._:-]{1,50}$', description: "A client's space (seed 001 tag)" } as const;
export const REQUEST_ID = { type: 'string', pattern: '^[0-9a-f]{40}$', description: '40 hex characters, from the request\'s content' } as const;

function envelope<R>(api: JobRequestApi, httpStatus: number, result: R, msgid?: string, error?: { code: string; message: string }): JobRequestEnvelope<R> {
  return {
    id: JOB_REQUEST_API_IDS[api],
    ver: JOB_REQUEST_API_VERSION,
    ts: new Date().toISOString(),
    params: {
      resmsgid: randomUUID(),
      ...(msgid ? { msgid } : {}),
      status: error ? 'failed' : 'successful',
      ...(error ? { err: error.code, errmsg: error.message } : {}),
    },
    responseCode: responseCodeOf(httpStatus),
    result,
  };
}

function msgidOf(request: FastifyRequest): string | undefined {
  const msgid = (request.body as { params?: { msgid?: unknown } } | undefined)?.params?.msgid;
  return typeof msgid === 'string' && msgid.length <= 100 ? msgid : undefined;
}

/** Every error of these routes in seed 001's envelope (its own codes), our code and message inside. */
function sendEnvelopeError(err: FastifyError, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  const api = request.routeOptions.config.jobRequestApi ?? 'read';
  const failure = translate(err);
  if (!failure) request.log.error({ err }, 'unexpected error');
  const status = failure ? ERROR_STATUS[failure.code] : 500;
  const error = failure ? { code: failure.code, message: failure.message } : { code: 'internal', message: 'internal error' };
  return reply.code(status).type('application/json; charset=utf-8').send(envelope(api, status, {}, msgidOf(request), error));
}

/** Seed 001's on-demand job request API: submit, read and list, in its envelope. */
export const jobRequestRoutes: FastifyPluginAsync<JobRequestRouteDeps> = async (app, deps) => {
  app.setErrorHandler(sendEnvelopeError);
  await app.register(authPlugin, { keys: deps.keys });

  app.post<{ Body: { params?: { msgid?: string }; request: JobRequestSubmission } }>(
    '/job/request/submit',
    {
      config: { jobRequestApi: 'submit' },
      schema: {
        operationId: 'submitJobRequest',
        summary: 'Seed 001: request a report job',
        description:
          `\`jobId\`: ${Object.keys(JOB_REQUEST_JOB_IDS).join(', ')}. An identical request (same tag, jobId, config, requester) while the first is SUBMITTED, PROCESSING or COMPLETED answers with the first; after a FAILED one it runs again (\`attempts\` + 1), up to 3 runs. ` +
          '`jobConfig.batchFilters` is `{ids, channels}` or a list of channel names (every batch published on them); `output_format` may sit in `jobConfig` or beside it.',
        tags: ['job-requests'],
        body: {
          type: 'object',
          additionalProperties: false,
          required: ['id', 'request'],
          properties: {
            id: { type: 'string', enum: [JOB_REQUEST_API_IDS.submit] },
            ver: { type: 'string', maxLength: 10 },
            ts: { type: 'string', maxLength: 40 },
            params: { type: 'object', additionalProperties: false, properties: { msgid: { type: 'string', maxLength: 100 } } },
            request: {
              type: 'object',
              additionalProperties: false,
              required: ['tag', 'jobId', 'jobConfig'],
              properties: {
                tag: TAG,
                jobId: { type: 'string', minLength: 1, maxLength: 50 },
                jobConfig: { type: 'object', additionalProperties: true, description: 'The job\'s configuration (see the description above)' },
                output_format: { type: 'string', enum: ['csv', 'json'] },
                requestedBy: { type: 'string', pattern: '^[A-Za-z0-9._@:-]{1,50}$' },
                requestedChannel: { type: 'string', pattern: '^[A-Za-z0-9._@:-]{1,50}$' },
              },
            },
          },
        },
        response: { 200: envelopeSchema({ $ref: 'JobStatusResponse#' }, 'The request (the first one, for an identical request)'), ...JOB_REQUEST_ERRORS(400, 401, 404, 413, 415, 429, 503) },
      },
    },
    async (request) => envelope('submit', 200, await deps.jobRequests.submit(request.principal, request.body.request), request.body.params?.msgid),
  );

  app.get<{ Params: { tag: string; requestId: string } }>(
    '/job/request/read/:tag/:requestId',
    {
      config: { jobRequestApi: 'read' },
      schema: {
        operationId: 'readJobRequest',
        summary: 'Seed 001: a request of a tag, with fresh download URLs',
        description: 'Its latest run. Another client\'s tag, or a request not in the tag, is RESOURCE_NOT_FOUND (404).',
        tags: ['job-requests'],
        params: { type: 'object', required: ['tag', 'requestId'], properties: { tag: TAG, requestId: REQUEST_ID } },
        response: { 200: envelopeSchema({ $ref: 'JobStatusResponse#' }, 'The request'), ...JOB_REQUEST_ERRORS(400, 401, 404, 503) },
      },
    },
    async (request) => envelope('read', 200, await deps.jobRequests.read(request.principal, request.params.tag, request.params.requestId)),
  );

  app.get<{ Params: { tag: string }; Querystring: { limit: number } }>(
    '/job/request/list/:tag',
    {
      config: { jobRequestApi: 'list' },
      schema: {
        operationId: 'listJobRequests',
        summary: "Seed 001: a tag's requests, newest first (the last 31 days)",
        description: 'Each request once, as its latest run; `limit` of them (default 20). Another client\'s tag is RESOURCE_NOT_FOUND (404).',
        tags: ['job-requests'],
        params: { type: 'object', required: ['tag'], properties: { tag: TAG } },
        querystring: { type: 'object', additionalProperties: false, properties: { limit: { type: 'integer', minimum: 1, maximum: 100, default: 20 } } },
        response: {
          200: envelopeSchema(
            { type: 'object', required: ['count', 'jobs'], properties: { count: { type: 'integer' }, jobs: { type: 'array', items: { $ref: 'JobStatusResponse#' } } } },
            "The tag's requests",
          ),
          ...JOB_REQUEST_ERRORS(400, 401, 404, 503),
        },
      },
    },
    async (request) => envelope('list', 200, await deps.jobRequests.list(request.principal, request.params.tag, request.query.limit)),
  );
};
