import { MAX_DELAY_MS, TASK_PRIORITIES, TASK_STATUSES } from '@taskyard/contracts';

/** JSON Schemas shared by the routes (registered with addSchema, so /docs shows them as components). */

const freeObject = { type: 'object', additionalProperties: true } as const;
const isoDate = { type: 'string', format: 'date-time' } as const;

/** A task's id: a UUID; a fan-out child's is its parent's followed by `.<n>` (so not `format: uuid`). */
export const TaskIdSchema = {
  $id: 'TaskId',
  type: 'string',
  pattern: '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}(\\.[a-z][a-z0-9-]{0,39})?(\\.[0-9]+)?$',
  description: "A UUID; a fan-out child's id is its parent's followed by `.<n>`; a workflow stage's, the workflow's followed by `.<stage>` (and `.<n>` for a fan-out's child)",
  examples: ['0b7e3c8e-5f7d-4a0e-9d52-8d7f5f0a8c11', '0b7e3c8e-5f7d-4a0e-9d52-8d7f5f0a8c11.3', '0b7e3c8e-5f7d-4a0e-9d52-8d7f5f0a8c11.pages.12'],
} as const;

export const TaskErrorSchema = {
  $id: 'TaskError',
  type: 'object',
  required: ['code', 'message'],
  properties: { code: { type: 'string', description: 'e.g. `expired-in-queue`, `timeout`, or the job\'s own' }, message: { type: 'string' } },
} as const;

export const TaskSchema = {
  $id: 'Task',
  type: 'object',
  required: ['id', 'type', 'title', 'owner', 'params', 'status', 'progress', 'attempt', 'maxAttempts', 'artifacts', 'createdAt', 'queuedAt'],
  properties: {
    id: { $ref: 'TaskId#' },
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
        required: ['name', 'size', 'contentType', 'url', 'expiresAt'],
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
    parentId: { $ref: 'TaskId#' },
    stage: {
      type: 'object',
      description: "A workflow's stage task: its workflow (`GET /v1/workflows/{workflowId}`), its stage, and a fan-out child's item index (0-based)",
      required: ['workflowId', 'stage', 'kind'],
      properties: {
        workflowId: { $ref: 'TaskId#' },
        stage: { type: 'string' },
        kind: { type: 'string', enum: ['task', 'fan-out', 'fan-in', 'on-failure'] },
        item: { type: 'integer', minimum: 0 },
      },
    },
    children: {
      type: 'object',
      description: 'A parent whose work fanned out (e.g. an assessment report over several batches): children made, succeeded, failed',
      required: ['total', 'done', 'failed'],
      properties: { total: { type: 'integer' }, done: { type: 'integer' }, failed: { type: 'integer' } },
    },
    result: freeObject,
    createdAt: isoDate,
    queuedAt: isoDate,
    startedAt: isoDate,
    finishedAt: isoDate,
    expiresAt: isoDate,
    durationMs: { type: 'number' },
    cancelRequestedAt: isoDate,
    runAt: isoDate,
    priority: { type: 'string', enum: [...TASK_PRIORITIES] },
    retryOf: { type: 'string' },
    scheduleId: { type: 'string' },
    attempts: {
      type: 'array',
      description: "Each attempt's start and end, oldest first: the task's timeline (why it failed, and when)",
      items: {
        type: 'object',
        required: ['attempt', 'startedAt'],
        properties: {
          attempt: { type: 'integer' },
          startedAt: isoDate,
          endedAt: isoDate,
          outcome: { type: 'string', enum: ['succeeded', 'failed', 'cancelled', 'heartbeat-lost', 'redelivered'] },
          error: { $ref: 'TaskError#' },
          retryAt: { ...isoDate, description: 'A failed attempt that was retried: when the next one was due' },
        },
      },
    },
    callback: {
      type: 'object',
      description: "The callback's delivery (GET /v1/tasks/:id of a task with a callbackUrl): `pending` until an attempt succeeds or the last one fails",
      required: ['state', 'attempts'],
      properties: {
        state: { type: 'string', enum: ['pending', 'delivered', 'failed'] },
        attempts: {
          type: 'array',
          items: {
            type: 'object',
            required: ['at'],
            properties: { at: isoDate, status: { type: 'integer', description: "The receiver's HTTP status" }, error: { type: 'string' } },
          },
        },
      },
    },
  },
} as const;

export const SubmitAnswerSchema = {
  $id: 'SubmitAnswer',
  type: 'object',
  required: ['id', 'status', 'statusUrl'],
  properties: { id: { $ref: 'TaskId#' }, status: { type: 'string', enum: [...TASK_STATUSES] }, statusUrl: { type: 'string' } },
} as const;

export const LogLineSchema = {
  $id: 'LogLine',
  type: 'object',
  required: ['at', 'level', 'message'],
  properties: { at: isoDate, level: { type: 'string', enum: ['info', 'warn', 'error'] }, message: { type: 'string' } },
} as const;

/**
 * The fields of a submission, as a JSON body or as multipart fields (params parsed from its JSON text),
 * as the gateway validates them (params per type come after). /docs shows SubmitTask instead.
 */
export const SubmitFieldsSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['type'],
  properties: {
    type: { type: 'string', minLength: 1, maxLength: 64, description: 'A job type of GET /v1/job-types' },
    title: { type: 'string', maxLength: 200 },
    params: { type: 'object', additionalProperties: true, description: "Checked against the type's paramsSchema (GET /v1/job-types); `{}` when left out" },
    tag: { type: 'string', minLength: 1, maxLength: 128, description: 'Client or tenant key, for filtering' },
    callbackUrl: { type: 'string', format: 'uri', pattern: '^https?://', maxLength: 2048 },
    runAt: { type: 'string', format: 'date-time', description: 'Not started before this time (at most 30 days ahead); the task is `scheduled` until then' },
    delayMs: { type: 'integer', minimum: 0, maximum: MAX_DELAY_MS, description: 'Not started before this many ms from now (instead of runAt)' },
    priority: { type: 'string', enum: [...TASK_PRIORITIES], default: 'normal', description: 'high starts before waiting normal and low tasks of its type' },
  },
} as const;

/** `event: update` of GET /v1/tasks/:id/events (TaskUpdate of libs/contracts). */
export const TaskUpdateSchema = {
  $id: 'TaskUpdate',
  type: 'object',
  required: ['kind', 'at', 'status', 'progress', 'attempt'],
  properties: {
    kind: { type: 'string', description: 'The status event folded in: started, progress, succeeded, failed, cancel-requested...; `stored` when the stream caught up with the stored task (events it could not see)' },
    at: isoDate,
    status: { type: 'string', enum: [...TASK_STATUSES] },
    progress: { type: 'number', minimum: 0, maximum: 100 },
    attempt: { type: 'integer' },
    logs: { type: 'array', items: { $ref: 'LogLine#' } },
  },
} as const;

/** `event: end` of GET /v1/tasks/:id/events: the terminal status, then the stream closes. */
export const TaskStreamEndSchema = {
  $id: 'TaskStreamEnd',
  type: 'object',
  required: ['status'],
  properties: { status: { type: 'string', enum: [...TASK_STATUSES] } },
} as const;

/** One frame of the stream: its `data` is JSON text of the payload its `event` names. */
const frame = (event: string, payload: string) =>
  ({
    type: 'object',
    required: ['event', 'data'],
    properties: {
      event: { type: 'string', const: event },
      data: { type: 'string', contentMediaType: 'application/json', contentSchema: { $ref: `${payload}#` }, description: `JSON text of a ${payload}` },
    },
  }) as const;

/**
 * The frames of GET /v1/tasks/:id/events as a text/event-stream carries them (`event:` and `data:` lines;
 * schemathesis checks each against this): a `snapshot` (a Task) first, an `update` (a TaskUpdate) per
 * change, an `end` (a TaskStreamEnd) after a terminal status.
 */
export const TaskStreamFrameSchema = {
  $id: 'TaskStreamFrame',
  oneOf: [frame('snapshot', 'Task'), frame('update', 'TaskUpdate'), frame('end', 'TaskStreamEnd')],
} as const;

export const SHARED_SCHEMAS = [
  TaskIdSchema,
  TaskErrorSchema,
  TaskSchema,
  SubmitAnswerSchema,
  LogLineSchema,
  TaskUpdateSchema,
  TaskStreamEndSchema,
  TaskStreamFrameSchema,
];

export const taskIdParams = {
  type: 'object',
  required: ['id'],
  properties: { id: { type: 'string', minLength: 1, maxLength: 64, description: 'The task id (TaskId)' } },
} as const;
