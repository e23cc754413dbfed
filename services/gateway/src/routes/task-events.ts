import type { FastifyPluginAsync } from 'fastify';
import type { TaskEvent } from '@taskyard/contracts';
import type { TaskRecord } from '@taskyard/tasks';
import { apiErrors } from '../api-errors';
import { taskIdParams } from '../api-schemas';
import type { GatewayDeps } from '../deps';
import { TaskStream, type TaskUpdate } from '../task-stream';
import { toTaskView } from '../task-view';

const PING_MS = 15_000;
/**
 * When a stream reads its task again after opening (then at every ping while it is not finished): events
 * published before its binding existed, and not yet written when it read the snapshot, reach it no other
 * way; the status service has written them by then (as a rule within milliseconds).
 */
const CATCH_UP_MS = [1000, 3000];

const frame = (event: string, data: unknown): string => `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;

/**
 * Server-sent events of one task: `snapshot` (the task), then `update` per change, then `end` after a
 * terminal status. Fed by the SSE hub (the broker routes only streamed tasks' events to it); the task is
 * read again a few times (CATCH_UP_MS, then at each ping) to catch up with events it could not see.
 */
export const taskEventRoutes: FastifyPluginAsync<GatewayDeps> = async (app, deps) => {
  app.get<{ Params: { id: string }; Querystring: { access_token?: string } }>(
    '/tasks/:id/events',
    {
      config: { allowQueryToken: true },
      schema: {
        operationId: 'streamTaskEvents',
        summary: "Server-sent events of a task's changes",
        description:
          'A text/event-stream of frames `event: <name>` + `data: <JSON>` (TaskStreamFrame): `snapshot` (a Task) first, `update` (a TaskUpdate) per change, `end` (a TaskStreamEnd) after a terminal status, then the stream closes; `: ping` comments keep it open. EventSource cannot send headers, so the key may also come as `?access_token=`.',
        tags: ['tasks'],
        params: taskIdParams,
        response: {
          200: {
            description: 'The event stream; each frame is a TaskStreamFrame',
            content: {
              'text/event-stream': {
                schema: { $ref: 'TaskStreamFrame#' },
              },
            },
          },
          ...apiErrors(404, 503),
        },
      },
    },
    async (request, reply) => {
      const id = request.params.id;
      const res = reply.raw;
      // Subscribe before reading the snapshot, so nothing published in between is lost; events that
      // arrive meanwhile are folded after it (folding is idempotent, so overlap is harmless).
      const early: TaskEvent[] = [];
      let onEvent: (e: TaskEvent) => void = (e) => early.push(e);
      const subscription = deps.hub.subscribe(id, { event: (e) => onEvent(e), close: () => stop() });
      const unsubscribe = subscription.unsubscribe;
      // Close handling is attached before the first await: a client gone while the task is read must
      // not stay subscribed. Until the stream starts, stopping only drops the subscription.
      let gone = false;
      let stop = (): void => unsubscribe();
      res.once('close', () => {
        gone = true;
        stop();
      });

      let record: TaskRecord;
      let snapshot: Awaited<ReturnType<typeof toTaskView>>;
      try {
        await subscription.ready;
        record = await deps.queries.full(request.principal, id);
        snapshot = await toTaskView(record, deps.presign, deps.presignSeconds);
      } catch (err) {
        unsubscribe();
        throw err;
      }
      reply.hijack();
      if (gone) return;
      const stream = new TaskStream(record, { retentionMs: deps.catalog.types.get(record.type)?.limits.retentionMs ?? 0 });

      res.writeHead(200, {
        ...(reply.getHeaders() as Record<string, string>),
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-cache, no-transform',
        connection: 'keep-alive',
        'x-accel-buffering': 'no',
      });
      deps.metrics.sseClients.inc();
      let ended = false;
      const catchUp = async (): Promise<void> => {
        const stored = await deps.queries.full(request.principal, id).catch(() => undefined);
        const update = stored && !ended ? stream.catchUp(stored) : undefined;
        if (update) send(update);
      };
      const ping = setInterval(() => {
        res.write(': ping\n\n');
        void catchUp();
      }, PING_MS);
      const catchUps = CATCH_UP_MS.map((ms) => setTimeout(() => void catchUp(), ms));
      const end = (): void => {
        if (ended) return;
        ended = true;
        clearInterval(ping);
        for (const t of catchUps) clearTimeout(t);
        unsubscribe();
        deps.metrics.sseClients.dec();
        res.end();
      };
      stop = end;

      const send = (update: TaskUpdate | undefined): void => {
        if (update) res.write(frame('update', update));
        if (stream.finished) {
          res.write(frame('end', { status: stream.status }));
          end();
        }
      };
      const deliver = (event: TaskEvent): void => {
        if (!ended) send(stream.apply(event));
      };
      res.write(frame('snapshot', snapshot));
      if (stream.finished) {
        res.write(frame('end', { status: stream.status }));
        return end();
      }
      onEvent = deliver;
      for (const e of early.splice(0)) deliver(e);
    },
  );
};
