// The task shapes the gateway sends are defined once, in libs/contracts (type-only imports: nothing of
// contracts reaches the bundle).
export type { ApiKeyView as ApiKeyInfo, NewApiKey } from '@taskyard/contracts';
export type { CatchUpRule, OccurrencePage, OccurrenceView as Occurrence, ScheduleInput as NewSchedule, ScheduleView as Schedule } from '@taskyard/contracts';
import type { ScheduleView } from '@taskyard/contracts';
/** A schedule in the list: without its history. */
export type ScheduleSummary = Omit<ScheduleView, 'history'>;
export type { ArtifactView as Artifact, LogLine, Shortfall, TaskError, TaskView as Task, TaskUpdate } from '@taskyard/contracts';
import type { TaskError, TaskView as Task } from '@taskyard/contracts';

/** Shapes of the gateway's JSON answers, as the console reads them (see SPEC.md "HTTP API"). */

export type Role = 'user' | 'admin';

export interface Me {
  principal: string;
  role: Role;
  /** The only tags the key may use; absent: all. */
  tags?: string[];
}

export const TASK_STATUSES = ['scheduled', 'queued', 'running', 'retrying', 'succeeded', 'failed', 'cancelled', 'expired'] as const;
export type TaskStatus = (typeof TASK_STATUSES)[number];
export const UNFINISHED_STATUSES: readonly TaskStatus[] = ['scheduled', 'queued', 'running', 'retrying'];
export const isTerminal = (status: TaskStatus): boolean => !UNFINISHED_STATUSES.includes(status);

/** A JSON Schema, as far as the console's form generator reads one. */
export interface JsonSchema {
  type?: string | string[];
  title?: string;
  description?: string;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  enum?: unknown[];
  /** Words for the enum's values, in order (contracts' ENUM_NAMES): what a form shows instead of the values. */
  'x-enumNames'?: string[];
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

export interface TaskPage {
  items: Task[];
  nextCursor?: string;
}

export interface SubmitAnswer {
  id: string;
  status: TaskStatus;
  statusUrl: string;
}

export interface QueueInfo {
  type: string;
  queue: string;
  ready: number;
  unacked: number;
  consumers: number;
  dead: number;
  /** Its workers take no new tasks until resumed. */
  paused?: boolean;
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
  /** Asked-for ids that are not dead letters of the type (replayed or removed meanwhile). */
  unknown?: string[];
}
