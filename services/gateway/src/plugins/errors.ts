import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import fp from 'fastify-plugin';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { BrokerUnavailable } from '@taskyard/messaging';
import {
  ApiFailure,
  BodyTooLarge,
  BrokerDown,
  DatabaseDown,
  HeadersTooLarge,
  InvalidParams,
  InvalidRequest,
  MalformedJson,
  RequestTimeout,
  RouteNotFound,
  UnsupportedMediaType,
  UriTooLong,
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

/**
 * FerretDB's InternalError when PostgreSQL under it is away: a connection it cannot make ("failed to
 * connect to") or one PostgreSQL ended (SQLSTATE class 08, connection exception, or 57P01-57P03, the
 * server shutting down, crashed or starting). Measured with the postmaster SIGKILLed under a stream of
 * submits (test/database-kill.test.ts): the database is down for a moment, the request is not wrong.
 */
const POSTGRESQL_AWAY = /failed to connect to|\(SQLSTATE (08[0-9A-Z]{3}|57P0[1-3])\)/;
const FERRETDB_INTERNAL_ERROR = 1;

function isBackendAway(err: FastifyError): boolean {
  const e = err as unknown as { name: string; message: string; code?: unknown };
  return e.name === 'MongoServerError' && e.code === FERRETDB_INTERNAL_ERROR && POSTGRESQL_AWAY.test(e.message);
}

/** Fastify's, the multipart parser's and the drivers' errors, as the API's own (undefined: an unexpected error, a 500). */
export function translate(err: FastifyError): ApiFailure | undefined {
  if (err instanceof ApiFailure) return err;
  if (err instanceof BrokerUnavailable) return new BrokerDown();
  if (MONGO_UNREACHABLE.has(err.name)) return new DatabaseDown();
  if (isDeadlineExceeded(err)) return new DatabaseDown('the database did not answer in time; try again shortly');
  if (isBackendAway(err)) return new DatabaseDown();
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

const errorBody = (failure: ApiFailure): ErrorBody => ({
  error: { code: failure.code, message: failure.message, ...(failure.details !== undefined ? { details: failure.details } : {}) },
});

export function sendError(reply: FastifyReply, failure: ApiFailure): FastifyReply {
  const status = ERROR_STATUS[failure.code];
  if (status === 503) void reply.header('retry-after', String(RETRY_AFTER_SECONDS));
  return reply.code(status).type('application/json; charset=utf-8').send(errorBody(failure));
}

/** Fastify's `frameworkErrors`: the router's refusals (a bad percent-encoding, a path parameter too long). */
export function frameworkErrors(err: FastifyError, _request: FastifyRequest, reply: FastifyReply): void {
  if (err.code === 'FST_ERR_BAD_URL') void sendError(reply, new InvalidRequest('the URL is not valid: a percent-encoding in its path is broken'));
  else if (err.code === 'FST_ERR_MAX_PARAM_LENGTH') void sendError(reply, new UriTooLong('a path parameter is longer than 100 characters'));
  else void sendError(reply, new InvalidRequest('the request could not be routed'));
}

/**
 * Fastify's `clientErrorHandler`: Node's HTTP parser refused the request before any route (headers over
 * 16 KB, the request deadline, bytes that are not HTTP). Written to the socket as the API's error body.
 */
export function clientErrorHandler(err: NodeJS.ErrnoException, socket: Socket): void {
  if (err.code === 'ECONNRESET' || socket.destroyed || !socket.writable) return;
  const failure =
    err.code === 'HPE_HEADER_OVERFLOW'
      ? new HeadersTooLarge('the request headers are larger than 16 KB')
      : err.code === 'ERR_HTTP_REQUEST_TIMEOUT'
        ? new RequestTimeout('the request did not arrive in time')
        : new InvalidRequest('the request is not valid HTTP/1.1');
  const status = ERROR_STATUS[failure.code];
  const body = JSON.stringify(errorBody(failure));
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  );
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
