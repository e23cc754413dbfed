/**
 * The failures the API answers with, one class per code. Their HTTP statuses are assigned in one place,
 * ERROR_STATUS below, so a route only says what went wrong.
 */
/** The one place an error code becomes an HTTP status (plugins/errors.ts answers with it, /docs lists it). */
export const ERROR_STATUS = {
  unauthorized: 401,
  forbidden: 403,
  'not-found': 404,
  'malformed-json': 400,
  'invalid-params': 400,
  'invalid-request': 400,
  'request-timeout': 408,
  'uri-too-long': 414,
  'headers-too-large': 431,
  'unknown-type': 400,
  'unknown-workflow': 400,
  'host-not-allowed': 400,
  'quota-exceeded': 429,
  'rate-limited': 429,
  'upload-too-large': 413,
  'too-many-uploads': 429,
  'invalid-zip': 422,
  'idempotency-mismatch': 422,
  'not-cancellable': 409,
  conflict: 409,
  'not-processed-outside': 400,
  'lease-lost': 409,
  'unsupported-media-type': 415,
  'body-too-large': 413,
  'broker-unavailable': 503,
  'database-unavailable': 503,
  'management-unavailable': 503,
  'not-ready': 503,
  internal: 500,
} as const satisfies Record<string, number>;

export type ErrorCode = keyof typeof ERROR_STATUS;
export type ErrorStatus = (typeof ERROR_STATUS)[ErrorCode];

/** The codes answered with one status, e.g. 404 -> ['not-found']: the enum of that status's error body. */
export function codesOf(status: ErrorStatus): ErrorCode[] {
  return (Object.keys(ERROR_STATUS) as ErrorCode[]).filter((code) => ERROR_STATUS[code] === status);
}

export abstract class ApiFailure extends Error {
  abstract readonly code: ErrorCode;

  constructor(
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

export class Unauthorized extends ApiFailure {
  readonly code = 'unauthorized';
}
export class Forbidden extends ApiFailure {
  readonly code = 'forbidden';
}
export class TaskNotFound extends ApiFailure {
  readonly code = 'not-found';
  constructor(id: string) {
    super(`task ${id} not found`);
  }
}
export class RouteNotFound extends ApiFailure {
  readonly code = 'not-found';
  constructor(method: string, url: string) {
    super(`no route ${method} ${url.split('?')[0]}`);
  }
}
export class MalformedJson extends ApiFailure {
  readonly code = 'malformed-json';
}
/** A body that breaks its JSON Schema; `details` are the Ajv errors, each `instancePath` naming the field. */
export class InvalidParams extends ApiFailure {
  readonly code = 'invalid-params';
}
/** A query string, path parameter or header that breaks the route's schema, or a bad cursor. */
export class InvalidRequest extends ApiFailure {
  readonly code = 'invalid-request';
}
export class UnknownJobType extends ApiFailure {
  readonly code = 'unknown-type';
  constructor(type: string, known: string[]) {
    super(`unknown job type "${type}"; known types: ${known.join(', ')}`, { type, known });
  }
}
/** A job would request a host the admin's allow-list does not name: refused at submit, naming the host and the setting. */
export class HostNotAllowed extends ApiFailure {
  readonly code = 'host-not-allowed';
  constructor(field: string, problem: { host?: string; message: string }) {
    super(`${field}: ${problem.message}`, { field, host: problem.host });
  }
}
/** Seed 000's request type names that are not in its table (libs/contracts). */
export class UnknownWorkflow extends ApiFailure {
  readonly code = 'unknown-workflow';
  constructor(name: string) {
    super(`no workflow is declared as "${name}"; send a declared name or a definition`);
  }
}
export class UnknownRequestType extends ApiFailure {
  readonly code = 'unknown-type';
  constructor(name: string, known: string[]) {
    super(`unknown request type "${name}"; known request types: ${known.join(', ')}`, { type: name, known });
  }
}
/** Seed 001 job ids that are not in its table (libs/contracts). */
export class UnknownJobId extends ApiFailure {
  readonly code = 'unknown-type';
  constructor(jobId: string, known: string[]) {
    super(`unknown jobId "${jobId}"; known jobIds: ${known.join(', ')}`, { jobId, known });
  }
}
/** A seed 001 tag (client space) the key is not bound to, or a request not in it: as not found, never forbidden. */
export class TagNotFound extends ApiFailure {
  readonly code = 'not-found';
  constructor(tag: string, requestId?: string) {
    super(requestId ? `no request ${requestId} under tag ${tag}` : `no tag ${tag}`);
  }
}
export class QuotaExceeded extends ApiFailure {
  readonly code = 'quota-exceeded';
  constructor(type: string, limit: number) {
    super(`you already have ${limit} unfinished ${type} task(s), the most allowed; wait for one to finish or cancel one`, { type, limit });
  }
}
/** Too many submissions with one key in its window; `Retry-After` says when to try again. */
export class RateLimited extends ApiFailure {
  readonly code = 'rate-limited';
  constructor(limit: number, retryAfterSeconds: number) {
    super(`this API key may submit ${limit} task(s) a minute; try again in ${retryAfterSeconds} s`, { limit, retryAfterSeconds });
  }
}
export class ApiKeyNotFound extends ApiFailure {
  readonly code = 'not-found';
  constructor(id: string) {
    super(`API key ${id} not found`);
  }
}
export class TooManySchedules extends ApiFailure {
  readonly code = 'quota-exceeded';
  constructor(limit: number) {
    super(`you already have ${limit} schedules, the most allowed; delete one first`, { limit });
  }
}
export class UploadTooLarge extends ApiFailure {
  readonly code = 'upload-too-large';
  constructor(maxBytes: number) {
    super(`the upload is larger than ${maxBytes} bytes`, { maxBytes });
  }
}
export class TooManyUploads extends ApiFailure {
  readonly code = 'too-many-uploads';
  constructor(limit: number) {
    super(`you already have ${limit} upload(s) under way, the most allowed at once; wait for one to finish`, { limit });
  }
}
export class InvalidZip extends ApiFailure {
  readonly code = 'invalid-zip';
}
/** An `Idempotency-Key` repeated with a request that is not the first one's. */
export class IdempotencyMismatch extends ApiFailure {
  readonly code = 'idempotency-mismatch';
  constructor(key: string, taskId: string, differ: string[]) {
    super(`Idempotency-Key "${key}" was first used for another request (task ${taskId}); this one differs in: ${differ.join(', ')}. Use a new key for a new request.`, {
      taskId,
      differ,
    });
  }
}
export class NotCancellable extends ApiFailure {
  readonly code = 'not-cancellable';
  constructor(id: string, status: string) {
    super(`task ${id} is ${status} and can no longer be cancelled`, { status });
  }
}
/** The request cannot apply to the thing in its current state (delete a running task, retry a succeeded one). */
export class Conflict extends ApiFailure {
  readonly code = 'conflict';
}
export class ScheduleNotFound extends ApiFailure {
  readonly code = 'not-found';
  constructor(id: string) {
    super(`schedule ${id} not found`);
  }
}
/** A processor asked for tasks of a type that Taskyard's own workers run. */
export class NotProcessedOutside extends ApiFailure {
  readonly code = 'not-processed-outside';
  constructor(type: string, external: string[]) {
    super(`job type "${type}" is not processed outside; types HTTP processors may claim: ${external.join(', ') || 'none'}`, { type, external });
  }
}
/** A processor's report on a task it no longer holds (its lease passed, another holds it, or it already reported). */
export class LeaseLost extends ApiFailure {
  readonly code = 'lease-lost';
}
export class UnsupportedMediaType extends ApiFailure {
  readonly code = 'unsupported-media-type';
}
export class BodyTooLarge extends ApiFailure {
  readonly code = 'body-too-large';
}
export class BrokerDown extends ApiFailure {
  readonly code = 'broker-unavailable';
  constructor(message = 'the message broker is unavailable; try again shortly') {
    super(message);
  }
}
export class DatabaseDown extends ApiFailure {
  readonly code = 'database-unavailable';
  constructor(message = 'the database is unavailable; try again shortly') {
    super(message);
  }
}
export class ManagementUnavailable extends ApiFailure {
  readonly code = 'management-unavailable';
}
export class NotReady extends ApiFailure {
  readonly code = 'not-ready';
}
/** A path parameter longer than the router takes (Fastify's maxParamLength, 100). */
export class UriTooLong extends ApiFailure {
  readonly code = 'uri-too-long';
}
/** Answered before any route: Node's parser refused headers over its limit (16 KB). */
export class HeadersTooLarge extends ApiFailure {
  readonly code = 'headers-too-large';
}
/** Answered before any route: the request did not arrive within the server's request deadline. */
export class RequestTimeout extends ApiFailure {
  readonly code = 'request-timeout';
}
