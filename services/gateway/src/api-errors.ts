import type { RouteOptions } from 'fastify';
import { codesOf, ERROR_STATUS, type ErrorStatus } from './errors';

/**
 * The error answers of the OpenAPI document: one schema per HTTP status (`Error404`...), its `code` an
 * enum of the codes the gateway answers with that status (from ERROR_STATUS), so a generated client can
 * switch on it. Routes list the statuses they really answer with `apiErrors(404, 503)`; the ones every
 * route of a kind answers are added by hooks (see /work/coord/OPENAPI.md and services/gateway/README.md).
 */

const DESCRIPTIONS: Record<ErrorStatus, string> = {
  400: 'The request is malformed or breaks its schema; the message names the field',
  401: 'No API key, or not a valid one',
  403: 'The key lacks the role this needs (admin)',
  404: "No such task (or another owner's)",
  408: 'The request did not arrive within the deadline',
  409: "The task's state does not allow it",
  413: 'The body or the upload is too large',
  414: 'A path parameter is longer than 100 characters',
  415: 'The content type is not accepted',
  422: 'The upload is not an acceptable zip, or an Idempotency-Key was first used for a different request',
  429: 'Too many unfinished tasks of that type, or uploads under way, for this owner; or too many submissions a minute for this key',
  431: 'The request headers are larger than 16 KB',
  500: 'An unexpected error (a bug)',
  503: 'A dependency (database, broker, RabbitMQ management) is unavailable; try again shortly',
};

/** 500 is left out: no route answers it by design (schemathesis counts any as a failure). */
const STATUSES = [...new Set(Object.values(ERROR_STATUS))].filter((s) => s !== 500).sort() as ErrorStatus[];

const schemaId = (status: ErrorStatus): string => `Error${status}`;

function errorSchema(status: ErrorStatus) {
  return {
    $id: schemaId(status),
    description: DESCRIPTIONS[status],
    type: 'object',
    required: ['error'],
    properties: {
      error: {
        type: 'object',
        required: ['code', 'message'],
        properties: {
          code: { type: 'string', enum: codesOf(status) },
          message: { type: 'string', description: 'For people: what went wrong and what to do' },
          details: { description: 'For programs, by code: Ajv errors for invalid-params, {type, limit} for quota-exceeded...' },
        },
      },
    },
  } as const;
}

/** Registered with addSchema: `#/components/schemas/Error<status>` in the document. */
export const ERROR_SCHEMAS = STATUSES.map(errorSchema);

/** The response entries of the error statuses a route answers: `response: { 200: ..., ...apiErrors(404, 503) }`. */
export function apiErrors(...statuses: ErrorStatus[]): Record<string, { $ref: string }> {
  return Object.fromEntries(statuses.map((s) => [String(s), { $ref: `${schemaId(s)}#` }]));
}

/** Adds error statuses to a route's documented responses (for onRoute hooks: auth, admin, validation). */
export function addApiErrors(route: RouteOptions, ...statuses: ErrorStatus[]): void {
  const schema = route.schema;
  if (!schema) return;
  const response = (schema.response ?? {}) as Record<string, unknown>;
  schema.response = { ...apiErrors(...statuses.filter((s) => !(String(s) in response))), ...response };
}
