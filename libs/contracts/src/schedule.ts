import type { TaskPriority } from './priority';
import type { WorkflowDefinition } from './workflow';

/**
 * What missed occurrences become after a time nothing ran (every scheduler down, the schedule paused is
 * not "missed"): `skip` drops them; `once` fires the latest one missed, once, when a scheduler is back.
 * Never a burst of every missed occurrence.
 */
export const CATCH_UP_RULES = ['skip', 'once'] as const;
export type CatchUpRule = (typeof CATCH_UP_RULES)[number];

/**
 * What a schedule submits at each occurrence: a task of a job type, or a workflow (WorkflowTemplate). The
 * scheduler hands templates to a submitter and knows no more.
 */
export interface TaskTemplate {
  kind: 'task';
  type: string;
  title?: string;
  params: Record<string, unknown>;
  tag?: string;
  priority?: TaskPriority;
}
/** A workflow at each occurrence: a declared one by name, or a definition inline (as `POST /v1/workflows`). */
export interface WorkflowTemplate {
  kind: 'workflow';
  workflow: string | WorkflowDefinition;
  params?: Record<string, unknown>;
  title?: string;
  tag?: string;
}
export type ScheduleTemplate = TaskTemplate | WorkflowTemplate;

export const OCCURRENCE_OUTCOMES = ['pending', 'submitted', 'skipped'] as const;
export type OccurrenceOutcome = (typeof OCCURRENCE_OUTCOMES)[number];

/** The occurrence's `_id`: one per schedule and fire time, inserted before its task (a unique insert decides the race). */
export const occurrenceId = (scheduleId: string, fireAt: Date): string => `${scheduleId}:${fireAt.toISOString()}`;

/** What a schedule is, stored and shown alike (the record adds its `_id` and dates, the view its id and runs). */
export interface ScheduleFields {
  name: string;
  owner: string;
  cron: string;
  timezone: string;
  template: ScheduleTemplate;
  paused: boolean;
  catchUp: CatchUpRule;
}

/** What became of one occurrence, stored and shown alike. */
export interface OccurrenceFields {
  outcome: OccurrenceOutcome;
  taskId?: string;
  reason?: string;
  /** Fired late, by the catch-up rule, after a time no scheduler ran. */
  catchUp?: boolean;
}

/** The HTTP API's JSON shape of a schedule (GET /v1/schedules/:id). */
export interface ScheduleView extends ScheduleFields {
  id: string;
  createdAt: string;
  updatedAt: string;
  /** The next fire times (ISO), none while paused. */
  nextRuns: string[];
  /** The latest occurrences, newest first. */
  history: OccurrenceView[];
}

export interface OccurrenceView extends OccurrenceFields {
  fireAt: string;
  at: string;
}

/** A page of a schedule's history (GET /v1/schedules/:id/history), newest first. */
export interface OccurrencePage {
  items: OccurrenceView[];
  /** Pass as `cursor` for the older ones; absent on the last page. */
  nextCursor?: string;
}

/** A schedule's task as the API takes it (stored as a `kind: 'task'` template). */
export interface TaskTemplateInput {
  type: string;
  title?: string;
  params?: Record<string, unknown>;
  tag?: string;
  priority?: TaskPriority;
}

/** What POST /v1/schedules takes (PATCH: any part of it). */
export interface ScheduleInput {
  name?: string;
  cron: string;
  timezone?: string;
  catchUp?: CatchUpRule;
  paused?: boolean;
  /** A task of a job type, or a workflow (`{kind: 'workflow', workflow, params}`). */
  task: TaskTemplateInput | WorkflowTemplate;
}

export type SchedulePatch = Partial<ScheduleInput>;
