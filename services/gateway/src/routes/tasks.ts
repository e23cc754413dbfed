import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import { TASK_STATUSES } from '@taskyard/contracts';
import type { Principal } from '../api-keys';
import { errorResponses, taskIdParams } from '../api-schemas';
import type { GatewayDeps } from '../deps';
import { MalformedJson, UnsupportedMediaType } from '../errors';
import { invalidParams } from '../job-catalog';
import type { ListFilters } from '../task-queries';
import type { HeldSlot, SubmitOutcome, SubmitRequest } from '../task-submission';
import { submitRateLimit } from '../plugins/submit-rate-limit';
import { submitTag } from '../tag-access';
import { toTaskView } from '../task-view';

type SubmitFields = Omit<SubmitRequest, 'owner' | 'idempotencyKey' | 'parentId' | 'fileSha256'>;


/** Compiled once per route context by Fastify (it caches by this object). */
const SUBMIT_FIELDS = { $ref: 'SubmitFields#' };

const statusUrl = (id: string): string => `/v1/tasks/${id}`;

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
  const validate = request.compileValidationSchema(SUBMIT_FIELDS);
  if (!validate(fields)) throw invalidParams(validate.errors ?? [], 'form');
  return fields as unknown as SubmitFields;
}

export const taskRoutes: FastifyPluginAsync<GatewayDeps> = async (app, deps) => {
  const { submission, queries, cancellation, intake } = deps;

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
      config: { rateLimit: submitRateLimit },
      schema: {
        summary: 'Submit a task',
        description:
          'JSON `{type, title?, params, tag?, callbackUrl?}`, or multipart/form-data with the fields `type`, `title`, `params` (JSON text) and `file` (a zip) for job types that take an upload. Answers 202 at once; the task runs in the background.',
        tags: ['tasks'],
        headers: idempotencyHeaders,
        body: { content: { 'application/json': { schema: { $ref: 'SubmitFields#' } } } },
        response: { 200: { $ref: 'SubmitAnswer#' }, 202: { $ref: 'SubmitAnswer#' }, ...errorResponses },
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
        summary: "List the caller's tasks (admins: everyone's), newest first",
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
        response: {
          200: {
            type: 'object',
            required: ['items'],
            properties: { items: { type: 'array', items: { $ref: 'Task#' } }, nextCursor: { type: 'string' } },
          },
          ...errorResponses,
        },
      },
    },
    async (request) => {
      const page = await queries.list(request.principal, request.query);
      const items = await Promise.all(page.items.map((t) => toTaskView(t, deps.presign, deps.presignSeconds)));
      return page.nextCursor ? { items, nextCursor: page.nextCursor } : { items };
    },
  );

  app.get<{ Params: { id: string } }>(
    '/tasks/:id',
    {
      schema: {
        summary: 'A task, with presigned artifact URLs',
        tags: ['tasks'],
        params: taskIdParams,
        response: { 200: { $ref: 'Task#' }, ...errorResponses },
      },
    },
    async (request) => toTaskView(await queries.view(request.principal, request.params.id), deps.presign, deps.presignSeconds),
  );

  app.post<{ Params: { id: string } }>(
    '/tasks/:id/cancel',
    {
      schema: {
        summary: 'Request the cancellation of a queued or running task',
        description: 'Answers 202: the status service cancels a queued task at once and asks a running one to stop.',
        tags: ['tasks'],
        params: taskIdParams,
        response: {
          202: { type: 'object', required: ['id', 'status'], properties: { id: { type: 'string' }, status: { type: 'string' } } },
          ...errorResponses,
        },
      },
    },
    async (request, reply) => reply.code(202).send(await cancellation.cancel(request.principal, request.params.id)),
  );

  app.get<{ Params: { id: string } }>(
    '/tasks/:id/logs',
    {
      schema: {
        summary: "The job's log lines (the last ones kept)",
        tags: ['tasks'],
        params: taskIdParams,
        response: {
          200: { type: 'object', required: ['lines'], properties: { lines: { type: 'array', items: { $ref: 'LogLine#' } } } },
          ...errorResponses,
        },
      },
    },
    async (request) => ({ lines: await queries.logs(request.principal, request.params.id) }),
  );
};
