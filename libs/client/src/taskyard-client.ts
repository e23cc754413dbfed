import type {
  ArtifactView,
  LogLine,
  ScheduleInput,
  SchedulePatch,
  ScheduleView,
  SubmitAnswer,
  TaskListQuery,
  TaskLogs,
  TaskPage,
  TaskStatus,
  TaskSubmission,
  TaskView,
} from '@taskyard/contracts';
import { setTimeout as delay } from 'node:timers/promises';
import { isTerminal } from '@taskyard/contracts';
import { TaskyardApiError, apiErrorOf } from './api-error';
import { watchTask, type WatchFrame, type WatchOptions } from './task-watch';

export interface ClientOptions {
  /** The gateway, e.g. `http://127.0.0.1:8080` (the `/v1` prefix is added here). */
  baseUrl: string;
  apiKey: string;
  /** Another fetch (a proxy agent, a test's): the global one by default. */
  fetch?: typeof fetch;
}

/** A zip for a job type that takes an upload (cloud-import). */
export interface UploadFile {
  name: string;
  data: Blob;
}

export interface SubmitOptions {
  /** A repeat within 24 h returns the first task instead of a new one. */
  idempotencyKey?: string;
}

/** The answer of a submit, and whether it made a new task (false: an Idempotency-Key's repeat). */
export interface Submitted extends SubmitAnswer {
  created: boolean;
}

/** A job type as GET /v1/job-types lists it (the fields a client needs). */
export interface JobTypeSummary {
  type: string;
  title: string;
  description?: string;
  paramsSchema: Record<string, unknown>;
  [more: string]: unknown;
}

/** The schedule list's items: a schedule without its history. */
export type ScheduleSummary = Omit<ScheduleView, 'history'>;

export interface Download {
  artifact: ArtifactView;
  body: ReadableStream<Uint8Array>;
}

const path = (id: string): string => encodeURIComponent(id);

/** Reads of a task after its stream ended before giving up on seeing it stored terminal (about 15 s in all). */
const SETTLE_READS = 12;
const SETTLE_MAX_WAIT_MS = 2_000;

/**
 * Taskyard's HTTP API, typed with the shapes of `@taskyard/contracts`. Every answer outside 2xx is thrown
 * as a TaskyardApiError carrying the API's error code.
 */
export class TaskyardClient {
  private readonly base: string;
  private readonly fetchImpl: typeof fetch;

  constructor(private readonly options: ClientOptions) {
    this.base = `${options.baseUrl.replace(/\/+$/, '')}/v1`;
    this.fetchImpl = options.fetch ?? fetch;
  }

  private async request(route: string, init: RequestInit = {}): Promise<Response> {
    const headers = new Headers(init.headers);
    headers.set('authorization', `Bearer ${this.options.apiKey}`);
    const res = await this.fetchImpl(`${this.base}${route}`, { ...init, headers });
    if (!res.ok) throw await apiErrorOf(res);
    return res;
  }

  private async json<T>(route: string, init: RequestInit = {}): Promise<T> {
    const res = await this.request(route, init);
    return (res.status === 204 ? undefined : await res.json()) as T;
  }

  private sendJson<T>(method: string, route: string, body: unknown, headers: Record<string, string> = {}): Promise<T> {
    return this.json<T>(route, { method, headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
  }

  async submit(submission: TaskSubmission, options: SubmitOptions = {}): Promise<Submitted> {
    const res = await this.request('/tasks', {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...idempotencyHeader(options) },
      body: JSON.stringify(submission),
    });
    return { ...((await res.json()) as SubmitAnswer), created: res.status === 202 };
  }

  /** A submission with its zip, as multipart/form-data (the file streams from the Blob). */
  async submitZip(submission: TaskSubmission, file: UploadFile, options: SubmitOptions = {}): Promise<Submitted> {
    const form = new FormData();
    for (const [field, value] of Object.entries(submission)) {
      if (value === undefined) continue;
      form.set(field, typeof value === 'string' ? value : JSON.stringify(value));
    }
    form.set('file', file.data, file.name);
    const res = await this.request('/tasks', { method: 'POST', headers: idempotencyHeader(options), body: form });
    return { ...((await res.json()) as SubmitAnswer), created: res.status === 202 };
  }

  get(id: string): Promise<TaskView> {
    return this.json(`/tasks/${path(id)}`);
  }

  list(query: TaskListQuery = {}): Promise<TaskPage> {
    return this.json(`/tasks${queryString(query)}`);
  }

  /** Every task the query matches, page after page. */
  async *listAll(query: Omit<TaskListQuery, 'cursor'> = {}): AsyncGenerator<TaskView> {
    let cursor: string | undefined;
    do {
      const page = await this.list({ ...query, cursor });
      yield* page.items;
      cursor = page.nextCursor;
    } while (cursor);
  }

  children(id: string, page: { limit?: number; cursor?: string } = {}): Promise<TaskPage> {
    return this.json(`/tasks/${path(id)}/children${queryString(page)}`);
  }

  cancel(id: string): Promise<{ id: string; status: TaskStatus }> {
    return this.json(`/tasks/${path(id)}/cancel`, { method: 'POST' });
  }

  async logs(id: string): Promise<LogLine[]> {
    return (await this.json<TaskLogs>(`/tasks/${path(id)}/logs`)).lines;
  }

  /** An artifact's content, fetched from its presigned URL (`name` absent: the task's only or first file). */
  async download(id: string, name?: string): Promise<Download> {
    const task = await this.get(id);
    const artifact = name === undefined ? task.artifacts[0] : task.artifacts.find((a) => a.name === name);
    if (!artifact) {
      const known = task.artifacts.map((a) => a.name).join(', ') || 'none';
      throw new TaskyardApiError(404, 'artifact-not-found', `task ${id} has no file ${name ?? ''} (files: ${known})`.replace('  ', ' '));
    }
    if (!artifact.url) throw new TaskyardApiError(410, 'artifact-expired', `${artifact.name} of task ${id} has expired`);
    const res = await this.fetchImpl(artifact.url);
    if (!res.ok || !res.body) throw new TaskyardApiError(res.status, 'download-failed', `downloading ${artifact.name} answered ${res.status}`);
    return { artifact, body: res.body };
  }

  /** The task's frames as they happen, reconnecting when the stream breaks; ends with the task. */
  watch(id: string, options: WatchOptions = {}): AsyncGenerator<WatchFrame> {
    return watchTask((signal) => this.request(`/tasks/${path(id)}/events`, { headers: { accept: 'text/event-stream' }, signal }), options);
  }

  /** Waits for the task to end (watching its events) and answers it as finished. */
  async wait(id: string, options: WatchOptions = {}): Promise<TaskView> {
    for await (const frame of this.watch(id, options)) if (frame.event === 'end') break;
    return this.settled(id, options.signal);
  }

  /**
   * The task once its terminal status is stored. The event stream folds the status events itself, so its
   * `end` can come a few milliseconds before the status service has written the task: read until then.
   */
  async settled(id: string, signal?: AbortSignal): Promise<TaskView> {
    for (let attempt = 0; ; attempt++) {
      const task = await this.get(id);
      if (isTerminal(task.status) || attempt >= SETTLE_READS) return task;
      await delay(Math.min(SETTLE_MAX_WAIT_MS, 25 * 2 ** attempt), undefined, { signal });
    }
  }

  jobTypes(): Promise<JobTypeSummary[]> {
    return this.json<{ items: JobTypeSummary[] }>('/job-types').then((r) => r.items);
  }

  listSchedules(owner?: string): Promise<ScheduleSummary[]> {
    return this.json<{ items: ScheduleSummary[] }>(`/schedules${queryString({ owner })}`).then((r) => r.items);
  }

  getSchedule(id: string): Promise<ScheduleView> {
    return this.json(`/schedules/${path(id)}`);
  }

  createSchedule(input: ScheduleInput): Promise<ScheduleView> {
    return this.sendJson('POST', '/schedules', input);
  }

  updateSchedule(id: string, patch: SchedulePatch): Promise<ScheduleView> {
    return this.sendJson('PATCH', `/schedules/${path(id)}`, patch);
  }

  async deleteSchedule(id: string): Promise<void> {
    await this.request(`/schedules/${path(id)}`, { method: 'DELETE' });
  }
}

function idempotencyHeader(options: SubmitOptions): Record<string, string> {
  return options.idempotencyKey ? { 'idempotency-key': options.idempotencyKey } : {};
}

function queryString(query: object): string {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) if (v !== undefined && v !== '') params.set(k, String(v));
  const s = params.toString();
  return s ? `?${s}` : '';
}
