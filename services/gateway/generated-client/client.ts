/**
 * An API user's program on the generated types (api.ts) and openapi-fetch, with no cast anywhere: it
 * lists the job types (typed limits), submits a typed JSON task, uploads a zip as multipart/form-data,
 * reads the upload's event stream by the document's TaskStreamFrame events and payloads, cancels it and
 * sees the stream end.
 * Env: API_URL, API_KEY, ZIP_FILE. Prints one JSON line of what it saw.
 */
import { readFile } from 'node:fs/promises';
import createClient from 'openapi-fetch';
import type { components, paths } from './api';

type Task = components['schemas']['Task'];
type TaskUpdate = components['schemas']['TaskUpdate'];
type TaskStreamEnd = components['schemas']['TaskStreamEnd'];
/** The frames as the document declares them: `{event: 'snapshot', data: string} | ...`. */
type Frame = components['schemas']['TaskStreamFrame'];

/** A frame with its `data` parsed into the payload the document names for its event. */
type StreamEvent = { event: 'snapshot'; data: Task } | { event: 'update'; data: TaskUpdate } | { event: 'end'; data: TaskStreamEnd };

/** Fails to compile when the document's events and the ones handled here differ. */
const HANDLED = { snapshot: 'snapshot', update: 'update', end: 'end' } satisfies Record<Frame['event'], StreamEvent['event']>;

const client = createClient<paths>({ baseUrl: process.env.API_URL ?? '', headers: { authorization: `Bearer ${process.env.API_KEY ?? ''}` } });

/** Never called: the compiler must refuse these, or the document types params too loosely. */
export async function refusedAtCompileTime(): Promise<void> {
  // @ts-expect-error spelling-report's params need schoolId, from and to
  await client.POST('/v1/tasks', { body: { type: 'spelling-report', params: { scope: 'class' } } });
  // @ts-expect-error a job type's limits are typed
  const limit: string = (await client.GET('/v1/job-types')).data?.items[0]?.limits.timeoutMs;
  void limit;
}

/** One `event:`/`data:` frame, typed by the document; JSON.parse's value is typed by where it goes. */
function toEvent(name: string, json: string): StreamEvent {
  switch (name) {
    case HANDLED.snapshot: {
      const data: Task = JSON.parse(json);
      return { event: name, data };
    }
    case HANDLED.update: {
      const data: TaskUpdate = JSON.parse(json);
      return { event: name, data };
    }
    case HANDLED.end: {
      const data: TaskStreamEnd = JSON.parse(json);
      return { event: name, data };
    }
    default:
      throw new Error(`an event the document does not describe: ${name}`);
  }
}

/** Yields the frames of a text/event-stream (comments such as `: ping` skipped). */
async function* frames(stream: ReadableStream<Uint8Array>): AsyncGenerator<StreamEvent> {
  const decoder = new TextDecoder();
  const reader = stream.getReader();
  let buffer = '';
  for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read()) {
    buffer += decoder.decode(chunk.value, { stream: true });
    for (let cut = buffer.indexOf('\n\n'); cut >= 0; cut = buffer.indexOf('\n\n')) {
      const lines = buffer.slice(0, cut).split('\n');
      buffer = buffer.slice(cut + 2);
      const name = lines.find((l) => l.startsWith('event: '))?.slice(7);
      const data = lines.filter((l) => l.startsWith('data: ')).map((l) => l.slice(6)).join('\n');
      if (name) yield toEvent(name, data);
    }
  }
}

async function main(): Promise<void> {
  const types = await client.GET('/v1/job-types');
  const importType = types.data?.items.find((t) => t.type === 'cloud-import');
  const timeoutMs: number | undefined = importType?.limits.timeoutMs;
  const maxBytes: number | undefined = importType?.upload?.maxBytes;

  // `params` may be left out of a type whose params have no required field.
  const json = await client.POST('/v1/tasks', { body: { type: 'diagnostic', title: 'typed', params: { sleepMs: 1 } } });
  const bare = await client.POST('/v1/tasks', { body: { type: 'diagnostic' } });

  const zip = new Blob([await readFile(process.env.ZIP_FILE ?? '')], { type: 'application/zip' });
  const upload = await client.POST('/v1/tasks', {
    body: { type: 'cloud-import', title: 'Pupils of class 4', file: zip },
    bodySerializer(body) {
      const form = new FormData();
      for (const [name, value] of Object.entries(body)) {
        if (value instanceof Blob) form.append(name, value, 'pupils.zip');
        else if (typeof value === 'string') form.append(name, value);
      }
      return form;
    },
  });
  if (!upload.data) throw new Error(`the upload was refused: ${JSON.stringify(upload.error)}`);
  const id = upload.data.id;

  const events = await client.GET('/v1/tasks/{id}/events', { params: { path: { id } }, parseAs: 'stream' });
  if (!events.data) throw new Error(`no event stream: ${events.response.status}`);
  const seen: StreamEvent[] = [];
  let cancelStatus = 0;
  for await (const event of frames(events.data)) {
    seen.push(event);
    if (event.event === 'snapshot') {
      // Typed: a Task's status and artifacts, without a cast.
      if (event.data.status !== 'queued' || event.data.artifacts.length !== 0) throw new Error(`unexpected snapshot ${event.data.status}`);
      cancelStatus = (await client.POST('/v1/tasks/{id}/cancel', { params: { path: { id } } })).response.status;
    }
    if (event.event === 'update' && event.data.progress > 100) throw new Error('progress past 100');
    if (event.event === 'end') break;
  }
  const error = (await client.GET('/v1/tasks/{id}', { params: { path: { id: 'no-such-task' } } })).error;
  const result = {
    timeoutMs,
    maxBytes,
    json: { status: json.response.status, id: json.data?.id },
    bare: bare.response.status,
    upload: { status: upload.response.status, id },
    cancelStatus,
    events: seen,
    // The error body is typed too: its code is the 404 enum.
    notFoundCode: error?.error.code,
  };
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

void main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
