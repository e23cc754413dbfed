import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import { TASK_STATUSES } from '@taskyard/contracts';
import type { Principal } from '../api-keys';
import { apiErrors } from '../api-errors';
import { SubmitFieldsSchema, taskIdParams } from '../api-schemas';
import type { GatewayDeps } from '../deps';
import { InvalidParams, MalformedJson, UnsupportedMediaType } from '../errors';
import { invalidParams } from '../job-catalog';
import { nulDetails, nulMessage, nulPath } from '../nul-characters';
import { paramsSchemaId } from '../job-type-schemas';
import type { ChildPage, ListFilters } from '../task-queries';
import type { HeldSlot, SubmitOutcome, SubmitRequest } from '../task-submission';
import { submitRateLimit } from '../plugins/submit-rate-limit';
import { submitTag } from '../tag-access';
import { toTaskView, type TaskView, type ViewRecord } from '../task-view';

type SubmitFields = Omit<SubmitRequest, 'id' | 'owner' | 'idempotencyKey' | 'parentId' | 'fileSha256'>;



const statusUrl = (id: string): string => `/v1/tasks/${id}`;

/** A page of tasks: the list's and a parent's children's answer. */
const TASK_PAGE = {
  type: 'object',
  required: ['items'],
  properties: { items: { type: 'array', items: { $ref: 'Task#' } }, nextCursor: { type: 'string' } },
} as const;

/**
 * The submission as /docs shows it: JSON, or multipart/form-data (the only way to send a cloud-import's
 * zip). Documentation only: Fastify validates the JSON body itself, and the multipart fields in
 * multipartFields (its parser streams the file, so there is no body object to validate).
 */
/** A single schema as itself (Redocly: no-illogical-composition-keywords), several as anyOf. */
const oneOrAnyOf = (schemas: object[]): object => (schemas.length === 1 ? schemas[0]! : { anyOf: schemas });

const submitBodyDoc = (uploadTypes: string[]) => ({
  content: {
    'application/json': { schema: { $ref: 'SubmitTask#' } },
    'multipart/form-data': {
      schema: {
        type: 'object',
        required: ['type'],
        properties: {
          type: { type: 'string', minLength: 1, maxLength: 64, description: 'A job type of GET /v1/job-types' },
          title: { type: 'string', maxLength: 200 },
          params: {
            type: 'string',
            contentMediaType: 'application/json',
            contentSchema: oneOrAnyOf(uploadTypes.map((t) => ({ $ref: `${paramsSchemaId(t)}#` }))),
            description: "The params as JSON text, checked against the type's paramsSchema",
          },
          tag: { type: 'string', minLength: 1, maxLength: 128 },
          callbackUrl: { type: 'string', format: 'uri', maxLength: 2048 },
          file: { type: 'string', format: 'binary', contentMediaType: 'application/zip', description: 'The zip, for job types with `upload` limits' },
        },
      },
    },
  },
});

const idempotencyHeaders = {
  type: 'object',
  properties: { 'idempotency-key': { type: 'string', minLength: 1, maxLength: 200, description: 'A repeat of the same request within 24 h returns the first task (200); the same key with a different request is refused (422 idempotency-mismatch)' } },
} as const;

/** Multipart text fields as a submission: `params` is JSON text (or already JSON when its part said so). */
function multipartFields(request: FastifyRequest, raw: Record<string, unknown>): SubmitFields {
  const fields: Record<string, unknown> = { ...raw };
  if (typeof fields.params === 'string') {
    try {
      fields.params = fields.params.trim() === '' ? {} : JSON.parse(fields.params);
    } catch {
      throw new MalformedJson('the "params" field is not valid JSON');
    }
  }
  const nulAt = nulPath(fields);
  if (nulAt !== undefined) throw new InvalidParams(nulMessage(`form${nulAt}`), nulDetails(nulAt));
  const validate = request.compileValidationSchema(SubmitFieldsSchema);
  if (!validate(fields)) throw invalidParams(validate.errors ?? [], 'form');
  // `params` is optional in the API (no schema default: a generated client would make it required).
  return { ...fields, params: fields.params ?? {} } as unknown as SubmitFields;
}

export const taskRoutes: FastifyPluginAsync<GatewayDeps> = async (app, deps) => {
  const { submission, queries, cancellation, intake } = deps;
  const bodyDoc = submitBodyDoc(deps.catalog.list().filter((d) => d.upload).map((d) => d.type));

  const viewPage = async (page: { items: ViewRecord[]; nextCursor?: string }): Promise<{ items: TaskView[]; nextCursor?: string }> => {
    const items = await Promise.all(page.items.map((t) => toTaskView(t, deps.presign, deps.presignSeconds)));
    return page.nextCursor ? { items, nextCursor: page.nextCursor } : { items };
  };

  /**
   * An upload counts against the owner's concurrent uploads, and takes the owner's slot for its type
   * before the file is read: a refused upload is never spooled.
   */
  async function submitMultipart(request: FastifyRequest, who: Principal, idempotencyKey?: string): Promise<SubmitOutcome> {
    const leave = intake.admit(who.principal);
    let held: HeldSlot | undefined;
    try {
      const form = await intake.receive(request, async (type) => {
        held = await submission.holdSlot(who.principal, type);
      });
      try {
        const fields = multipartFields(request, form.fields);
        const def = submission.check(fields, form.file !== undefined);
        if (form.file) await intake.inspect(form.file, def);
        return await submission.submit(
          { ...fields, tag: submitTag(who, fields.tag), owner: who.principal, idempotencyKey, fileSha256: form.file?.sha256 },
          form.file && intake.stager(form.file),
          held,
        );
      } finally {
        await intake.discard(form.file);
      }
    } finally {
      leave();
      await submission.releaseHeld(held);
    }
  }

  app.post<{ Body: SubmitFields; Headers: { 'idempotency-key'?: string } }>(
    '/tasks',
    {
      config: {
        rateLimit: submitRateLimit,
        swaggerTransform: ({ schema, url }) => ({ schema: { ...schema, body: bodyDoc }, url }),
      },
      schema: {
        operationId: 'submitTask',
        summary: 'Submit a task',
        description:
          'JSON `{type, title?, params, tag?, callbackUrl?}`, or multipart/form-data with the fields `type`, `title`, `params` (JSON text) and `file` (a zip) for job types that take an upload. Answers 202 at once; the task runs in the background.',
        tags: ['tasks'],
        headers: idempotencyHeaders,
        body: { content: { 'application/json': { schema: SubmitFieldsSchema } } },
        response: {
          200: { description: 'A repeat of an Idempotency-Key: the first task', $ref: 'SubmitAnswer#' },
          202: { description: 'Accepted: the task is queued', $ref: 'SubmitAnswer#' },
          ...apiErrors(422, 429, 503),
        },
      },
    },
    async (request, reply) => {
      const key = request.headers['idempotency-key'];
      let outcome: SubmitOutcome;
      if (request.isMultipart()) {
        outcome = await submitMultipart(request, request.principal, key);
      } else {
        if (typeof request.body !== 'object' || request.body === null) throw new UnsupportedMediaType('send a JSON body, or multipart/form-data for uploads');
        outcome = await submission.submit({
          ...request.body,
          tag: submitTag(request.principal, request.body.tag),
          params: request.body.params ?? {},
          owner: request.principal.principal,
          idempotencyKey: key,
        });
      }
      return reply
        .code(outcome.created ? 202 : 200)
        .header('location', statusUrl(outcome.id))
        .send({ id: outcome.id, status: outcome.status, statusUrl: statusUrl(outcome.id) });
    },
  );

  app.get<{ Querystring: ListFilters }>(
    '/tasks',
    {
      schema: {
        operationId: 'listTasks',
        summary: "List the caller's tasks (admins: everyone's), newest first",
        description:
          "Top-level tasks only: a fan-out's children are listed under their parent (`GET /v1/tasks/{id}/children`). Filters combine; `nextCursor` of a page, sent as `cursor`, gives the next page (absent on the last).",
        tags: ['tasks'],
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            type: { type: 'string', maxLength: 64 },
            status: { type: 'string', enum: [...TASK_STATUSES] },
            tag: { type: 'string', maxLength: 128 },
            owner: { type: 'string', maxLength: 128, description: 'Admins only: one owner' },
            limit: { type: 'integer', minimum: 1, maximum: 100, default: 20 },
            cursor: { type: 'string', maxLength: 512 },
          },
        },
        response: { 200: TASK_PAGE, ...apiErrors(503) },
      },
    },
    async (request) => viewPage(await queries.list(request.principal, request.query)),
  );

  app.get<{ Params: { id: string } }>(
    '/tasks/:id',
    {
      schema: {
        operationId: 'getTask',
        summary: 'A task, with presigned artifact URLs',
        description: "The task's status, progress, error and artifacts (each `url` presigned and short-lived); with a callbackUrl, the callback's delivery attempts.",
        tags: ['tasks'],
        params: taskIdParams,
        response: { 200: { $ref: 'Task#' }, ...apiErrors(404, 503) },
      },
    },
    async (request) => {
      const task = await queries.view(request.principal, request.params.id);
      const view = await toTaskView(task, deps.presign, deps.presignSeconds);
      return task.callbackUrl ? { ...view, callback: await queries.callback(task._id) } : view;
    },
  );

  app.get<{ Params: { id: string }; Querystring: ChildPage }>(
    '/tasks/:id/children',
    {
      schema: {
        operationId: 'listTaskChildren',
        summary: "A parent task's children (its fan-out), in the order they were made",
        description:
          'The children of a fan-out are not in `GET /v1/tasks`; each has its own title, status and files. Paged with `limit` and `cursor` (a page\'s `nextCursor`, absent on the last).',
        tags: ['tasks'],
        params: taskIdParams,
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            limit: { type: 'integer', minimum: 1, maximum: 200, default: 50 },
            cursor: { type: 'string', maxLength: 512 },
          },
        },
        response: { 200: TASK_PAGE, ...apiErrors(404, 503) },
      },
    },
    async (request) => viewPage(await queries.children(request.principal, request.params.id, request.query)),
  );

  app.post<{ Params: { id: string } }>(
    '/tasks/:id/cancel',
    {
      schema: {
        operationId: 'cancelTask',
        summary: 'Request the cancellation of a queued or running task',
        description: 'Answers 202: the status service cancels a queued task at once and asks a running one to stop.',
        tags: ['tasks'],
        params: taskIdParams,
        response: {
          202: {
            type: 'object',
            required: ['id', 'status'],
            properties: { id: { $ref: 'TaskId#' }, status: { type: 'string', enum: [...TASK_STATUSES] } },
          },
          ...apiErrors(404, 409, 503),
        },
      },
    },
    async (request, reply) => reply.code(202).send(await cancellation.cancel(request.principal, request.params.id)),
  );

  app.get<{ Params: { id: string } }>(
    '/tasks/:id/logs',
    {
      schema: {
        operationId: 'getTaskLogs',
        summary: "The job's log lines (the last ones kept)",
        description: 'Oldest first; a long log keeps its last lines.',
        tags: ['tasks'],
        params: taskIdParams,
        response: {
          200: { type: 'object', required: ['lines'], properties: { lines: { type: 'array', items: { $ref: 'LogLine#' } } } },
          ...apiErrors(404, 503),
        },
      },
    },
    async (request) => ({ lines: await queries.logs(request.principal, request.params.id) }),
  );
};
