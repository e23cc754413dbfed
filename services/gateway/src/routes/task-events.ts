import type { FastifyPluginAsync } from 'fastify';
import type { TaskEvent } from '@taskyard/contracts';
import type { TaskRecord } from '@taskyard/tasks';
import { apiErrors } from '../api-errors';
import { taskIdParams } from '../api-schemas';
import type { GatewayDeps } from '../deps';
import { TaskStream } from '../task-stream';
import { toTaskView } from '../task-view';

const PING_MS = 15_000;

const frame = (event: string, data: unknown): string => `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;

/**
 * Server-sent events of one task: `snapshot` (the task), then `update` per change, then `end` after a
 * terminal status. Fed by the SSE hub's in-memory fan-out of `task-events`; nothing polls the database.
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
      const unsubscribe = deps.hub.subscribe(id, { event: (e) => onEvent(e), close: () => stop() });
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
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-cache, no-transform',
        connection: 'keep-alive',
        'x-accel-buffering': 'no',
      });
      deps.metrics.sseClients.inc();
      const ping = setInterval(() => res.write(': ping\n\n'), PING_MS);
      let ended = false;
      const end = (): void => {
        if (ended) return;
        ended = true;
        clearInterval(ping);
        unsubscribe();
        deps.metrics.sseClients.dec();
        res.end();
      };
      stop = end;

      const deliver = (event: TaskEvent): void => {
        if (ended) return;
        const update = stream.apply(event);
        if (update) res.write(frame('update', update));
        if (stream.finished) {
          res.write(frame('end', { status: stream.status }));
          end();
        }
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
