import type { FastifyPluginAsync } from 'fastify';
import { CATCH_UP_RULES, OCCURRENCE_OUTCOMES, TASK_PRIORITIES, WORKFLOW_DEFINITION_SCHEMA, WORKFLOW_NAME_PATTERN, type ScheduleInput, type SchedulePatch } from '@taskyard/contracts';
import { apiErrors } from '../api-errors';
import type { GatewayDeps } from '../deps';
import { SCHEDULE_LIMITS } from '../schedule-service';

const idParams = { type: 'object', required: ['id'], properties: { id: { type: 'string', minLength: 1, maxLength: 64 } } } as const;

const taskTemplate = {
  type: 'object',
  additionalProperties: false,
  required: ['type'],
  description: 'The task each occurrence submits, as POST /v1/tasks takes it (params checked against the type\'s schema)',
  properties: {
    type: { type: 'string', minLength: 1, maxLength: 64 },
    title: { type: 'string', maxLength: 200 },
    params: { type: 'object', additionalProperties: true },
    tag: { type: 'string', minLength: 1, maxLength: 128 },
    priority: { type: 'string', enum: [...TASK_PRIORITIES] },
  },
} as const;

const workflowTemplate = {
  type: 'object',
  additionalProperties: false,
  required: ['kind', 'workflow'],
  description: 'A workflow each occurrence starts, as POST /v1/workflows takes it',
  properties: {
    kind: { type: 'string', enum: ['workflow'] },
    workflow: { description: "A declared workflow's name, or a definition", oneOf: [{ type: 'string', pattern: WORKFLOW_NAME_PATTERN }, WORKFLOW_DEFINITION_SCHEMA] },
    params: { type: 'object', additionalProperties: true, maxProperties: 100 },
    title: { type: 'string', maxLength: 200 },
    tag: { type: 'string', minLength: 1, maxLength: 128 },
  },
} as const;

const scheduleFields = {
  name: { type: 'string', minLength: 1, maxLength: 200 },
  cron: { type: 'string', minLength: 1, maxLength: 200, description: '5 fields (minute first) or 6 (seconds first), read in `timezone`' },
  timezone: { type: 'string', minLength: 1, maxLength: 64, description: 'IANA time zone, e.g. Europe/London (default UTC)' },
  catchUp: {
    type: 'string',
    enum: [...CATCH_UP_RULES],
    description: 'Occurrences missed while no scheduler ran: `once` fires the latest missed one once when a scheduler is back (default), `skip` records it skipped',
  },
  paused: { type: 'boolean' },
  task: { description: 'What each occurrence submits: a task, or a workflow (`kind: workflow`)', oneOf: [taskTemplate, workflowTemplate] },
} as const;

const occurrenceSchema = {
  type: 'object',
  required: ['fireAt', 'outcome', 'at'],
  properties: {
    fireAt: { type: 'string', format: 'date-time' },
    outcome: { type: 'string', enum: [...OCCURRENCE_OUTCOMES] },
    taskId: { type: 'string' },
    reason: { type: 'string' },
    catchUp: { type: 'boolean' },
    at: { type: 'string', format: 'date-time' },
  },
} as const;

const scheduleProperties = {
  id: { type: 'string' },
  name: { type: 'string' },
  owner: { type: 'string' },
  cron: { type: 'string' },
  timezone: { type: 'string' },
  template: {
    type: 'object',
    properties: {
      kind: { type: 'string', enum: ['task', 'workflow'] },
      type: { type: 'string', description: 'kind task: the job type' },
      workflow: { description: 'kind workflow: its declared name or its definition', oneOf: [{ type: 'string' }, { type: 'object', additionalProperties: true }] },
      title: { type: 'string' },
      params: { type: 'object', additionalProperties: true },
      tag: { type: 'string' },
      priority: { type: 'string', enum: [...TASK_PRIORITIES] },
    },
  },
  paused: { type: 'boolean' },
  catchUp: { type: 'string', enum: [...CATCH_UP_RULES] },
  createdAt: { type: 'string', format: 'date-time' },
  updatedAt: { type: 'string', format: 'date-time' },
  nextRuns: { type: 'array', items: { type: 'string', format: 'date-time' }, description: 'The next 5 fire times (none while paused)' },
} as const;

const scheduleView = {
  type: 'object',
  required: ['id', 'name', 'owner', 'cron', 'timezone', 'template', 'paused', 'catchUp', 'nextRuns', 'history'],
  properties: { ...scheduleProperties, history: { type: 'array', items: occurrenceSchema, description: 'The last 20 occurrences, newest first' } },
} as const;

const scheduleSummary = { type: 'object', required: ['id', 'name', 'owner', 'cron', 'timezone', 'template', 'paused', 'catchUp', 'nextRuns'], properties: scheduleProperties } as const;

/** `/v1/schedules`: cron schedules of tasks. Users see and change their own; admins everyone's. */
export const scheduleRoutes: FastifyPluginAsync<GatewayDeps> = async (app, { schedules }) => {
  app.post<{ Body: ScheduleInput }>(
    '/schedules',
    {
      schema: {
        operationId: 'createSchedule',
        summary: 'Create a cron schedule that submits a task at each occurrence',
        description: 'Each occurrence submits exactly one task, whatever the number of scheduler replicas. An occurrence finding the owner at the unfinished limit is recorded as skipped, with the reason.',
        tags: ['schedules'],
        body: { type: 'object', additionalProperties: false, required: ['cron', 'task'], properties: scheduleFields },
        response: { 201: scheduleView, ...apiErrors(429, 503) },
      },
    },
    async (request, reply) => {
      const view = await schedules.create(request.principal, request.body);
      return reply.code(201).header('location', `/v1/schedules/${view.id}`).send(view);
    },
  );

  app.get<{ Querystring: { owner?: string } }>(
    '/schedules',
    {
      schema: {
        operationId: 'listSchedules',
        summary: "The caller's schedules (admins: everyone's, or one owner's)",
        description: 'Each with its next 5 fire times; GET /v1/schedules/:id adds the history.',
        tags: ['schedules'],
        querystring: { type: 'object', additionalProperties: false, properties: { owner: { type: 'string', maxLength: 128, description: 'Admins only: one owner' } } },
        response: { 200: { type: 'object', required: ['items'], properties: { items: { type: 'array', items: scheduleSummary } } }, ...apiErrors(503) },
      },
    },
    async (request) => ({ items: await schedules.list(request.principal, request.query.owner) }),
  );

  app.get<{ Params: { id: string } }>(
    '/schedules/:id',
    {
      schema: {
        operationId: 'getSchedule',
        summary: 'A schedule with its next 5 fire times and its last 20 occurrences',
        description: "Each occurrence names its task, or why it was skipped (the owner at the unfinished limit, missed while no scheduler ran). Another owner's schedule is 404.",
        tags: ['schedules'],
        params: idParams,
        response: { 200: scheduleView, ...apiErrors(404, 503) },
      },
    },
    async (request) => schedules.get(request.principal, request.params.id),
  );

  app.get<{ Params: { id: string }; Querystring: { limit?: number; cursor?: string } }>(
    '/schedules/:id/history',
    {
      schema: {
        operationId: 'listScheduleHistory',
        summary: "A schedule's recorded occurrences, newest first, a page at a time",
        description:
          'Each occurrence names its task, or why it was skipped. Pass `nextCursor` as `cursor` for older ones. Occurrences older than the retention (30 days) are pruned. Another owner\'s schedule is 404.',
        tags: ['schedules'],
        params: idParams,
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            limit: { type: 'integer', minimum: 1, maximum: SCHEDULE_LIMITS.historyPageMax, default: SCHEDULE_LIMITS.history },
            cursor: { type: 'string', format: 'date-time', description: 'The `nextCursor` of the previous page' },
          },
        },
        response: {
          200: { type: 'object', required: ['items'], properties: { items: { type: 'array', items: occurrenceSchema }, nextCursor: { type: 'string', format: 'date-time' } } },
          ...apiErrors(404, 503),
        },
      },
    },
    async (request) => schedules.historyPage(request.principal, request.params.id, request.query.limit, request.query.cursor),
  );

  app.patch<{ Params: { id: string }; Body: SchedulePatch }>(
    '/schedules/:id',
    {
      schema: {
        operationId: 'updateSchedule',
        summary: 'Change a schedule: its cron, zone, task, catch-up rule, or pause and resume it',
        description: 'Resuming or changing the cron starts the schedule afresh: fire times before that are not caught up.',
        tags: ['schedules'],
        params: idParams,
        body: { type: 'object', additionalProperties: false, minProperties: 1, properties: scheduleFields },
        response: { 200: scheduleView, ...apiErrors(404, 503) },
      },
    },
    async (request) => schedules.update(request.principal, request.params.id, request.body),
  );

  app.delete<{ Params: { id: string } }>(
    '/schedules/:id',
    {
      schema: {
        operationId: 'deleteSchedule',
        summary: 'Delete a schedule (tasks it already submitted stay)',
        description: "No further occurrences fire. Another owner's schedule is 404.",
        tags: ['schedules'],
        params: idParams,
        response: { 204: { type: 'null', description: 'Deleted' }, ...apiErrors(404, 503) },
      },
    },
    async (request, reply) => {
      await schedules.remove(request.principal, request.params.id);
      return reply.code(204).send();
    },
  );
};
