import { TASK_STATUSES } from '@taskyard/contracts';

/** JSON Schemas shared by the routes (registered with addSchema, so /docs shows them as components). */

const freeObject = { type: 'object', additionalProperties: true } as const;
const isoDate = { type: 'string', format: 'date-time' } as const;

export const ApiErrorSchema = {
  $id: 'ApiError',
  type: 'object',
  required: ['error'],
  properties: {
    error: {
      type: 'object',
      required: ['code', 'message'],
      properties: { code: { type: 'string' }, message: { type: 'string' }, details: {} },
    },
  },
} as const;

export const TaskErrorSchema = {
  $id: 'TaskError',
  type: 'object',
  properties: { code: { type: 'string' }, message: { type: 'string' } },
} as const;

export const TaskSchema = {
  $id: 'Task',
  type: 'object',
  required: ['id', 'type', 'title', 'owner', 'params', 'status', 'progress', 'attempt', 'maxAttempts', 'artifacts', 'createdAt', 'queuedAt'],
  properties: {
    id: { type: 'string', format: 'uuid' },
    type: { type: 'string' },
    title: { type: 'string' },
    owner: { type: 'string' },
    tag: { type: 'string' },
    params: freeObject,
    status: { type: 'string', enum: [...TASK_STATUSES] },
    progress: { type: 'number', minimum: 0, maximum: 100 },
    attempt: { type: 'integer' },
    maxAttempts: { type: 'integer' },
    artifacts: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          name: { type: 'string' },
          size: { type: 'integer' },
          contentType: { type: 'string' },
          url: { type: ['string', 'null'], description: 'Presigned, short-lived; null once the artifacts have expired' },
          expiresAt: { type: ['string', 'null'], format: 'date-time' },
        },
      },
    },
    error: { $ref: 'TaskError#' },
    parentId: { type: 'string' },
    children: {
      type: 'object',
      properties: { total: { type: 'integer' }, finished: { type: 'array', items: { type: 'string' } }, failed: { type: 'integer' } },
    },
    result: freeObject,
    createdAt: isoDate,
    queuedAt: isoDate,
    startedAt: isoDate,
    finishedAt: isoDate,
    expiresAt: isoDate,
    durationMs: { type: 'number' },
    cancelRequestedAt: isoDate,
  },
} as const;

export const SubmitAnswerSchema = {
  $id: 'SubmitAnswer',
  type: 'object',
  required: ['id', 'status', 'statusUrl'],
  properties: { id: { type: 'string' }, status: { type: 'string', enum: [...TASK_STATUSES] }, statusUrl: { type: 'string' } },
} as const;

export const LogLineSchema = {
  $id: 'LogLine',
  type: 'object',
  properties: { at: isoDate, level: { type: 'string', enum: ['info', 'warn', 'error'] }, message: { type: 'string' } },
} as const;

/** The fields of a submission, as a JSON body or as multipart fields (params parsed from its JSON text). */
export const SubmitFieldsSchema = {
  $id: 'SubmitFields',
  type: 'object',
  additionalProperties: false,
  required: ['type'],
  properties: {
    type: { type: 'string', minLength: 1, maxLength: 64, description: 'A job type of GET /v1/job-types' },
    title: { type: 'string', maxLength: 200 },
    params: { type: 'object', additionalProperties: true, default: {}, description: "Checked against the type's paramsSchema" },
    tag: { type: 'string', minLength: 1, maxLength: 128, description: 'Client or tenant key, for filtering' },
    callbackUrl: { type: 'string', format: 'uri', pattern: '^https?://', maxLength: 2048 },
  },
} as const;

export const SHARED_SCHEMAS = [ApiErrorSchema, TaskErrorSchema, TaskSchema, SubmitAnswerSchema, LogLineSchema, SubmitFieldsSchema];

/** The error answers every route documents. */
export const errorResponses = { '4xx': { $ref: 'ApiError#' }, '5xx': { $ref: 'ApiError#' } } as const;

export const taskIdParams = {
  type: 'object',
  required: ['id'],
  properties: { id: { type: 'string', minLength: 1, maxLength: 64 } },
} as const;
