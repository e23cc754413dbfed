import type { TaskPriority } from './priority';
import type { CallbackView } from './callback';
import type { LogLine } from './task-event';
import type { AttemptOutcome, TaskError } from './task-message';
import type { TaskResult } from './task-result';
import type { TaskStatus } from './task-status';
import type { StageRef } from './workflow';

/**
 * The HTTP API's JSON shapes of a task, shared by the gateway that sends them and the console that reads
 * them (type-only, so the browser bundle carries none of contracts' code).
 */
export interface ArtifactView {
  name: string;
  size: number;
  contentType: string;
  /** Presigned and short-lived; null once the artifacts have expired. */
  url: string | null;
  /** When `url` stops working (not when the file is deleted: that is the task's `expiresAt`). */
  expiresAt: string | null;
}

/** One attempt of a task (its timeline on the task page). */
export interface AttemptView {
  attempt: number;
  startedAt: string;
  endedAt?: string;
  outcome?: AttemptOutcome;
  error?: TaskError;
  /** A failed attempt that was retried: when the next one was due. */
  retryAt?: string;
}

/** A task as the API shows it: no bookkeeping fields, dates as ISO strings, artifact URLs presigned. */
export interface TaskView {
  id: string;
  type: string;
  title: string;
  owner: string;
  tag?: string;
  params: Record<string, unknown>;
  status: TaskStatus;
  progress: number;
  attempt: number;
  maxAttempts: number;
  artifacts: ArtifactView[];
  error?: TaskError;
  parentId?: string;
  /** A workflow's stage task: its workflow (also its `parentId`), its stage, and a fan-out child's item index. */
  stage?: Pick<StageRef, 'workflowId' | 'stage' | 'kind' | 'item'>;
  /** A parent whose work fanned out (its handler continued as a workflow): children made, succeeded, failed. */
  children?: { total: number; done: number; failed: number };
  result?: TaskResult;
  createdAt: string;
  queuedAt: string;
  startedAt?: string;
  finishedAt?: string;
  expiresAt?: string;
  durationMs?: number;
  cancelRequestedAt?: string;
  /** Not started before this time; `scheduled` until then. */
  runAt?: string;
  priority?: TaskPriority;
  /** The failed or cancelled task this one retries (a retry is a new task; the old one keeps its history). */
  retryOf?: string;
  /** The schedule whose occurrence submitted it. */
  scheduleId?: string;
  /** Each attempt's start and end, oldest first (tasks folded before attempts were recorded have none). */
  attempts?: AttemptView[];
  /** The callback's delivery, on GET /v1/tasks/:id of a task with a callbackUrl. */
  callback?: CallbackView;
}

/** `event: update` of GET /v1/tasks/:id/events. */
export interface TaskUpdate {
  kind: string;
  at: string;
  status?: TaskStatus;
  progress?: number;
  attempt?: number;
  logs?: LogLine[];
}

export type ApiKeyRole = 'user' | 'admin';

/** What an admin asks for when creating an API key. */
export interface NewApiKey {
  principal: string;
  role: ApiKeyRole;
  /** The only tags (tenants) the key may submit and see; absent: all. */
  tags?: string[];
  /** Submissions allowed per minute; absent: no cap. */
  submitsPerMinute?: number;
  label?: string;
}

/** A managed API key as the API lists it: never the key itself, which is shown once, when created. */
export interface ApiKeyView extends NewApiKey {
  id: string;
  /** The first characters of the key, so a person can tell keys apart. */
  prefix: string;
  createdAt: string;
  createdBy: string;
  lastUsedAt: string | null;
}

/** What a client sends to POST /v1/tasks (as JSON, or as multipart fields beside a zip). */
export interface TaskSubmission {
  type: string;
  title?: string;
  params?: Record<string, unknown>;
  tag?: string;
  callbackUrl?: string;
  /** ISO time: not started before it (at most 30 days ahead). */
  runAt?: string;
  /** Or: not started before this many ms from now. */
  delayMs?: number;
  priority?: TaskPriority;
}

/** The answer of POST /v1/tasks: 202 for a new task, 200 for a repeat of an Idempotency-Key. */
export interface SubmitAnswer {
  id: string;
  status: TaskStatus;
  statusUrl: string;
}

/** The filters of GET /v1/tasks; `cursor` is a page's `nextCursor`. */
export interface TaskListQuery {
  type?: string;
  status?: TaskStatus;
  tag?: string;
  /** Admins only: one owner's tasks. */
  owner?: string;
  limit?: number;
  cursor?: string;
}

/** A page of tasks: GET /v1/tasks and GET /v1/tasks/:id/children. Absent `nextCursor`: the last page. */
export interface TaskPage {
  items: TaskView[];
  nextCursor?: string;
}

/** GET /v1/tasks/:id/logs. */
export interface TaskLogs {
  lines: LogLine[];
}

/** `event: end` of GET /v1/tasks/:id/events: the terminal status. */
export interface TaskStreamEnd {
  status: TaskStatus;
}

/** Every error response of the API. */
export interface ApiErrorBody {
  error: { code: string; message: string; details?: unknown };
}

/** Per-period counts of one job type in an overview window (arrays aligned with the window's periods). */
export interface OverviewSeries {
  type: string;
  started: number[];
  succeeded: number[];
  failed: number[];
}

/** A window of the overview: `points` periods of `stepSeconds`, the first starting at `from`. */
export interface OverviewWindow {
  stepSeconds: number;
  from: string;
  points: number;
  series: OverviewSeries[];
}

/** Queue wait and run time of a job type over the last hour (absent quantiles: nothing measured). */
export interface OverviewLatency {
  type: string;
  started: number;
  waitP50Ms?: number;
  waitP95Ms?: number;
  runP50Ms?: number;
  runP95Ms?: number;
}

/** A failure reason of the last day: failed tasks and retried attempts with this code. */
export interface OverviewFailure {
  type: string;
  code: string;
  count: number;
  /** The message of one of them. */
  message?: string;
}

export interface OverviewQueue {
  type: string;
  ready: number;
  unacked: number;
  consumers: number;
}

/** GET /v1/overview: what the platform is doing, for everyone (admins) or the caller's own tasks (users). */
export interface OverviewView {
  scope: 'all' | 'own';
  generatedAt: string;
  /** The last hour, per minute. */
  hour: OverviewWindow;
  /** The last day, per hour. */
  day: OverviewWindow;
  latency: OverviewLatency[];
  /** The most frequent failure reasons of the last day, most first. */
  failures: OverviewFailure[];
  /** Each type's queue: absent when the broker's management API is not configured or did not answer. */
  queues?: OverviewQueue[];
}
