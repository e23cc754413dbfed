/** Shapes of the gateway's JSON answers, as the console reads them (see SPEC.md "HTTP API"). */

export type Role = 'user' | 'admin';

export interface Me {
  principal: string;
  role: Role;
}

export const TASK_STATUSES = ['queued', 'running', 'retrying', 'succeeded', 'failed', 'cancelled', 'expired'] as const;
export type TaskStatus = (typeof TASK_STATUSES)[number];
export const UNFINISHED_STATUSES: readonly TaskStatus[] = ['queued', 'running', 'retrying'];
export const isTerminal = (status: TaskStatus): boolean => !UNFINISHED_STATUSES.includes(status);

/** A JSON Schema, as far as the console's form generator reads one. */
export interface JsonSchema {
  type?: string | string[];
  title?: string;
  description?: string;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  enum?: unknown[];
  const?: unknown;
  format?: string;
  items?: JsonSchema;
  minItems?: number;
  maxItems?: number;
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  default?: unknown;
  readOnly?: boolean;
  if?: JsonSchema;
  then?: JsonSchema;
  else?: JsonSchema;
  allOf?: JsonSchema[];
}

export interface JobLimits {
  timeoutMs: number;
  maxAttempts: number;
  unfinishedPerOwner: number;
  retentionMs: number;
  [other: string]: unknown;
}

export interface UploadLimits {
  maxBytes: number;
  maxUncompressedBytes: number;
  maxEntries: number;
}

export interface JobType {
  type: string;
  title: string;
  description: string;
  paramsSchema: JsonSchema;
  limits: JobLimits;
  upload?: UploadLimits;
}

export interface Artifact {
  name: string;
  size: number;
  contentType: string;
  /** Presigned and short-lived; null once the task's files have expired. */
  url: string | null;
  /** When `url` stops working (not when the file is deleted: that is the task's `expiresAt`). */
  expiresAt: string | null;
}

export interface LogLine {
  at: string;
  level: 'info' | 'warn' | 'error';
  message: string;
}

export interface TaskError {
  code: string;
  message: string;
}

export interface Task {
  id: string;
  type: string;
  title?: string;
  owner: string;
  tag?: string;
  params: Record<string, unknown>;
  status: TaskStatus;
  progress: number;
  attempt: number;
  maxAttempts: number;
  artifacts: Artifact[];
  error?: TaskError;
  parentId?: string;
  children?: { total: number; finished: string[]; failed: number };
  result?: Record<string, unknown>;
  createdAt: string;
  queuedAt?: string;
  startedAt?: string;
  finishedAt?: string;
  expiresAt?: string;
  durationMs?: number;
  cancelRequestedAt?: string;
}

export interface TaskPage {
  items: Task[];
  nextCursor?: string;
}

export interface SubmitAnswer {
  id: string;
  status: TaskStatus;
  statusUrl: string;
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

export interface QueueInfo {
  type: string;
  queue: string;
  ready: number;
  unacked: number;
  consumers: number;
  dead: number;
}

export interface QueuesAnswer {
  items: QueueInfo[];
  managementUrl?: string;
}

export interface DeadLetter {
  taskId: string;
  title?: string;
  owner: string;
  attempt: number;
  error?: TaskError;
  deadAt: string | null;
}

export interface ReplayAnswer {
  replayed: { taskId: string; newTaskId: string }[];
  /** Dead letters left in place, e.g. because their owner is at the unfinished limit. */
  skipped?: { taskId: string; reason: string }[];
}
