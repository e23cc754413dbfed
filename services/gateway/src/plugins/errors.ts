import fp from 'fastify-plugin';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { BrokerUnavailable } from '@taskyard/messaging';
import {
  ApiFailure,
  BodyTooLarge,
  BrokerDown,
  DatabaseDown,
  InvalidParams,
  InvalidRequest,
  MalformedJson,
  RouteNotFound,
  UnsupportedMediaType,
  ERROR_STATUS,
} from '../errors';
import { invalidParams } from '../job-catalog';

export interface ErrorBody {
  error: { code: string; message: string; details?: unknown };
}

const MONGO_UNREACHABLE = new Set([
  'MongoServerSelectionError',
  'MongoNetworkError',
  'MongoNetworkTimeoutError',
  'MongoNotConnectedError',
  'MongoPoolClearedError',
  'MongoWaitQueueTimeoutError',
]);
/** MongoDB's and FerretDB's answer to a query past its `maxTimeMS`: the database is overloaded, not the request wrong. */
const MAX_TIME_MS_EXPIRED = 50;

/** A 503 tells the client when to try again (seconds). */
export const RETRY_AFTER_SECONDS = 2;

function isDeadlineExceeded(err: FastifyError): boolean {
  const e = err as unknown as { name: string; message: string; code?: unknown; codeName?: unknown };
  return e.name === 'MongoServerError' && (e.code === MAX_TIME_MS_EXPIRED || e.codeName === 'MaxTimeMSExpired' || /exceeded time limit/i.test(e.message));
}

/** Fastify's, the multipart parser's and the drivers' errors, as the API's own. */
function translate(err: FastifyError): ApiFailure | undefined {
  if (err instanceof ApiFailure) return err;
  if (err instanceof BrokerUnavailable) return new BrokerDown();
  if (MONGO_UNREACHABLE.has(err.name)) return new DatabaseDown();
  if (isDeadlineExceeded(err)) return new DatabaseDown('the database did not answer in time; try again shortly');
  if (err.validation) {
    if (err.validationContext === 'body') return invalidParams(err.validation as never, 'body');
    return new InvalidRequest(err.message, err.validation);
  }
  switch (err.code) {
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return new MalformedJson('the request body is not valid JSON');
    case 'FST_INVALID_JSON_FIELD_ERROR':
      return new MalformedJson('a multipart field declared as JSON is not valid JSON');
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
    case 'FST_INVALID_MULTIPART_CONTENT_TYPE':
      return new UnsupportedMediaType('send application/json, or multipart/form-data for uploads');
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new BodyTooLarge('the request body is too large');
    case 'FST_FILES_LIMIT':
    case 'FST_FIELDS_LIMIT':
    case 'FST_PARTS_LIMIT':
    case 'FST_PROTO_VIOLATION':
      return new InvalidParams(`the multipart form is not acceptable: ${err.message}`);
  }
  if (err.statusCode && err.statusCode >= 400 && err.statusCode < 500) return new InvalidRequest(err.message);
  return undefined;
}

export function sendError(reply: FastifyReply, failure: ApiFailure): FastifyReply {
  const body: ErrorBody = { error: { code: failure.code, message: failure.message, ...(failure.details !== undefined ? { details: failure.details } : {}) } };
  const status = ERROR_STATUS[failure.code];
  if (status === 503) void reply.header('retry-after', String(RETRY_AFTER_SECONDS));
  return reply.code(status).type('application/json; charset=utf-8').send(body);
}

/** Handles a request no route took; returns true when it answered (e.g. the console's index.html). */
export type NotFoundFallback = (request: FastifyRequest, reply: FastifyReply) => Promise<boolean>;

/** Every 4xx/5xx as `{error: {code, message, details?}}`, unknown routes included; never a stack trace. */
export const errorsPlugin = fp<{ notFoundFallback?: NotFoundFallback }>(
  async (app, { notFoundFallback }) => {
    app.setErrorHandler((err: FastifyError, request, reply) => {
      const failure = translate(err);
      if (failure) {
        if (ERROR_STATUS[failure.code] >= 500) request.log.warn({ err: err.message, code: failure.code }, 'request failed');
        return sendError(reply, failure);
      }
      request.log.error({ err }, 'unexpected error');
      return reply.code(500).type('application/json; charset=utf-8').send({ error: { code: 'internal', message: 'internal error' } } satisfies ErrorBody);
    });
    app.setNotFoundHandler(async (request, reply) => {
      if (notFoundFallback && (await notFoundFallback(request, reply))) return reply;
      return sendError(reply, new RouteNotFound(request.method, request.url));
    });
  },
  { name: 'taskyard-errors' },
);
