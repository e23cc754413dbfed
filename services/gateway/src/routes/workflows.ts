import type { FastifyPluginAsync } from 'fastify';
import { STAGE_STATES, TASK_STATUSES, WORKFLOW_DEFINITION_SCHEMA, WORKFLOW_NAME_PATTERN, type WorkflowSubmission } from '@taskyard/contracts';
import { apiErrors } from '../api-errors';
import { taskIdParams } from '../api-schemas';
import type { GatewayDeps } from '../deps';

const statusUrl = (id: string): string => `/v1/workflows/${id}`;

const accepted = {
  type: 'object',
  required: ['id', 'status', 'statusUrl'],
  properties: { id: { $ref: 'TaskId#' }, status: { type: 'string', enum: [...TASK_STATUSES] }, statusUrl: { type: 'string' } },
} as const;

const taskError = { type: 'object', required: ['code', 'message'], properties: { code: { type: 'string' }, message: { type: 'string' } } } as const;

const stageView = {
  type: 'object',
  required: ['name', 'type', 'kind', 'state', 'taskId'],
  properties: {
    name: { type: 'string' },
    type: { type: 'string' },
    kind: { type: 'string', enum: ['task', 'fan-out', 'fan-in', 'on-failure'] },
    state: { type: 'string', enum: [...STAGE_STATES], description: 'The stage as the workflow records it' },
    taskId: { type: 'string', description: "The stage's task (a fan-out's children are `<taskId>.<n>`)" },
    total: { type: 'integer', description: 'Fan-out: children made' },
    done: { type: 'integer', description: 'Fan-out: children succeeded' },
    failed: { type: 'integer', description: 'Fan-out: children failed' },
    error: taskError,
    taskStatus: { type: 'string', enum: [...TASK_STATUSES], description: "The stage task's own status (not for a fan-out)" },
    taskProgress: { type: 'integer' },
  },
} as const;

const workflowView = {
  type: 'object',
  required: ['id', 'name', 'title', 'owner', 'status', 'progress', 'stages', 'definition', 'logs', 'createdAt'],
  properties: {
    id: { $ref: 'TaskId#' },
    name: { type: 'string' },
    title: { type: 'string' },
    owner: { type: 'string' },
    tag: { type: 'string' },
    status: { type: 'string', enum: [...TASK_STATUSES] },
    progress: { type: 'integer', minimum: 0, maximum: 100 },
    stages: { type: 'array', items: stageView },
    onFailure: stageView,
    definition: WORKFLOW_DEFINITION_SCHEMA,
    logs: {
      type: 'array',
      items: { type: 'object', required: ['at', 'level', 'message'], properties: { at: { type: 'string' }, level: { type: 'string' }, message: { type: 'string' } } },
    },
    error: taskError,
    retryOf: { type: 'object', required: ['workflowId', 'fromStage'], properties: { workflowId: { type: 'string' }, fromStage: { type: 'string' } } },
    createdAt: { type: 'string', format: 'date-time' },
    startedAt: { type: 'string', format: 'date-time' },
    finishedAt: { type: 'string', format: 'date-time' },
  },
} as const;

const submission = {
  type: 'object',
  additionalProperties: false,
  required: ['workflow'],
  properties: {
    workflow: {
      description: 'A declared workflow\'s name, or a definition (stages of job types: chains, a fan-out with its fan-in, an on-failure stage)',
      oneOf: [{ type: 'string', pattern: WORKFLOW_NAME_PATTERN }, WORKFLOW_DEFINITION_SCHEMA],
    },
    params: { type: 'object', additionalProperties: true, maxProperties: 100, description: 'What the first stage receives' },
    title: { type: 'string', maxLength: 200 },
    tag: { type: 'string', minLength: 1, maxLength: 128 },
  },
} as const;

const definitions = {
  type: 'object',
  required: ['items'],
  properties: { items: { type: 'array', items: WORKFLOW_DEFINITION_SCHEMA, description: 'In the order they are declared' } },
} as const;

/** `/v1/workflows`: stages of job types run as one parent task (see /work/coord/WORKFLOWS.md). */
export const workflowRoutes: FastifyPluginAsync<GatewayDeps> = async (app, { workflows }) => {
  app.get(
    '/workflows/definitions',
    {
      schema: {
        operationId: 'listWorkflowDefinitions',
        summary: 'The declared workflows that can be started by name, with their stages',
        description:
          "Each declared workflow whose stages' job types are all enabled on this deployment: its name (what `POST /v1/workflows` takes as `workflow`), title, description, stages and on-failure stage. The first stage receives the workflow's `params` (filtered by its `pass`), so its job type's `paramsSchema` (`GET /v1/job-types`) says what they may be.",
        tags: ['workflows'],
        response: { 200: definitions },
      },
    },
    async () => ({ items: workflows.definitions() }),
  );

  app.post<{ Body: WorkflowSubmission }>(
    '/workflows',
    {
      schema: {
        operationId: 'submitWorkflow',
        summary: 'Start a workflow: a declared one by name, or a definition of its stages',
        description:
          'The workflow is a parent task (type `workflow`) whose children are its stages\' tasks. The first stage receives `params`; each later one the result of the stage before. A definition breaking a rule its schema cannot say (a fan-in not right after a fan-out, a type not enabled, a name used twice) is a 400 naming the stage.',
        tags: ['workflows'],
        body: submission,
        response: { 202: accepted, ...apiErrors(503) },
      },
    },
    async (request, reply) => {
      const r = await workflows.submit(request.principal, request.body);
      return reply.code(202).header('location', statusUrl(r.id)).send({ id: r.id, status: r.status, statusUrl: r.statusUrl });
    },
  );

  app.get<{ Params: { id: string } }>(
    '/workflows/:id',
    {
      schema: {
        operationId: 'getWorkflow',
        summary: 'A workflow: its status, one progress figure, its stages with their states, one log',
        description: "Each stage's state as the workflow records it, and its task's own status; a fan-out's children counted. A task that is no workflow, or another owner's, is 404.",
        tags: ['workflows'],
        params: taskIdParams,
        response: { 200: workflowView, ...apiErrors(404, 503) },
      },
    },
    async (request) => workflows.view(request.principal, request.params.id),
  );

  app.post<{ Params: { id: string } }>(
    '/workflows/:id/cancel',
    {
      schema: {
        operationId: 'cancelWorkflow',
        summary: 'Cancel a workflow and every stage task still running or waiting',
        description: 'The workflow is cancelled at once; its running stage tasks (every child of a fan-out) are asked to stop. 409 once it has finished.',
        tags: ['workflows'],
        params: taskIdParams,
        response: { 202: accepted, ...apiErrors(404, 409, 503) },
      },
    },
    async (request, reply) => {
      const r = await workflows.cancel(request.principal, request.params.id);
      return reply.code(202).send({ id: r.id, status: r.status, statusUrl: statusUrl(r.id) });
    },
  );

  app.post<{ Params: { id: string } }>(
    '/workflows/:id/retry',
    {
      schema: {
        operationId: 'retryWorkflow',
        summary: 'Run a failed workflow again from its failed stage, as a new workflow',
        description:
          'The new workflow (`retryOf`) skips the stages that succeeded and starts the failed one with what it received the first time. At most one retry per workflow: a repeat answers 200 with the same one. 409 unless the workflow failed.',
        tags: ['workflows'],
        params: taskIdParams,
        response: { 200: accepted, 202: accepted, ...apiErrors(404, 409, 503) },
      },
    },
    async (request, reply) => {
      const r = await workflows.retry(request.principal, request.params.id);
      return reply.code(r.created ? 202 : 200).header('location', r.statusUrl).send({ id: r.id, status: r.status, statusUrl: r.statusUrl });
    },
  );
};
