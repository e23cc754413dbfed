import { ApiError, apiErrorFrom, asApiError } from './api-error';
import {
  API_KEYS_PATH,
  apiKeyPath,
  deadLettersPath,
  jobTypeControlPath,
  replayPath,
  SCHEDULES_PATH,
  scheduleHistoryPath,
  schedulePath,
  taskCancelPath,
  taskChildrenPath,
  taskListPath,
  taskLogsPath,
  taskPath,
  taskRetryPath,
  WORKFLOW_DEFINITIONS_PATH,
  WORKFLOWS_PATH,
  workflowActionPath,
  workflowPath,
  type TaskFilter,
} from './api-paths';
import type { OverviewView, TaskPriority, WorkflowDefinition, WorkflowSubmission, WorkflowView } from '@taskyard/contracts';
import type {
  ApiKeyInfo,
  DeadLetter,
  JobType,
  NewApiKey,
  NewSchedule,
  LogLine,
  Me,
  OccurrencePage,
  QueuesAnswer,
  ReplayAnswer,
  Schedule,
  ScheduleSummary,
  SubmitAnswer,
  Task,
  TaskPage,
} from './api-types';

export interface NewTask {
  type: string;
  title?: string;
  tag?: string;
  params: Record<string, unknown>;
  /** Not started before this time (ISO); absent: at once. */
  runAt?: string;
  priority?: TaskPriority;
}

/** The gateway's JSON API with one API key. Every failure is an ApiError; a 401 also calls `onUnauthorized`. */
export class ApiClient {
  constructor(
    readonly key: string,
    private readonly onUnauthorized: () => void = () => {},
  ) {}

  async request<T>(method: string, path: string, body?: unknown): Promise<T> {
    const headers: Record<string, string> = { Authorization: `Bearer ${this.key}`, Accept: 'application/json' };
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    let response: Response;
    try {
      response = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    } catch (error) {
      throw asApiError(error);
    }
    const text = await response.text();
    if (!response.ok) {
      const error = apiErrorFrom(response.status, text);
      if (response.status === 401) this.onUnauthorized();
      throw error;
    }
    try {
      return (text ? JSON.parse(text) : {}) as T;
    } catch {
      throw new ApiError(response.status, 'bad-response', 'The server answered with something that is not JSON.');
    }
  }

  me = (): Promise<Me> => this.request('GET', '/v1/me');
  /** Everyone's figures for an admin, the caller's own for a user. */
  overview = (): Promise<OverviewView> => this.request('GET', '/v1/overview');
  jobTypes = async (): Promise<JobType[]> => (await this.request<{ items: JobType[] }>('GET', '/v1/job-types')).items;
  listTasks = (filter: TaskFilter): Promise<TaskPage> => this.request('GET', taskListPath(filter));
  task = (id: string): Promise<Task> => this.request('GET', taskPath(id));
  /** A parent's children (its parts), a page at a time. */
  children = (id: string, cursor?: string): Promise<TaskPage> => this.request('GET', taskChildrenPath(id, cursor));
  logs = async (id: string): Promise<LogLine[]> => (await this.request<{ lines: LogLine[] }>('GET', taskLogsPath(id))).lines ?? [];
  submit = (task: NewTask): Promise<SubmitAnswer> => this.request('POST', '/v1/tasks', task);
  cancel = (id: string): Promise<{ id: string; status: string }> => this.request('POST', taskCancelPath(id), {});
  /** A failed or cancelled task again, as a new linked task (its answer names the new one). */
  retry = (id: string): Promise<SubmitAnswer & { retryOf: string }> => this.request('POST', taskRetryPath(id), {});
  /** A finished task, its logs and its files. */
  remove = (id: string): Promise<{ id: string; status: string }> => this.request('DELETE', taskPath(id));
  /** Admin: stop (or let again) a job type's workers taking new tasks; running ones finish. */
  setPaused = (type: string, paused: boolean): Promise<{ type: string; paused: boolean }> =>
    this.request('POST', jobTypeControlPath(type, paused ? 'pause' : 'resume'), {});
  queues = (): Promise<QueuesAnswer> => this.request('GET', '/v1/admin/queues');
  deadLetters = async (type: string): Promise<DeadLetter[]> => (await this.request<{ items: DeadLetter[] }>('GET', deadLettersPath(type))).items;
  replay = (type: string, taskIds?: string[]): Promise<ReplayAnswer> => this.request('POST', replayPath(type), taskIds ? { taskIds } : {});
  apiKeys = async (): Promise<ApiKeyInfo[]> => (await this.request<{ items: ApiKeyInfo[] }>('GET', API_KEYS_PATH)).items;
  createApiKey = (key: NewApiKey): Promise<{ key: string; apiKey: ApiKeyInfo }> => this.request('POST', API_KEYS_PATH, key);
  revokeApiKey = (id: string): Promise<ApiKeyInfo> => this.request('DELETE', apiKeyPath(id));
  /** The caller's schedules (an admin's: everyone's), each with its next runs. */
  schedules = async (): Promise<ScheduleSummary[]> => (await this.request<{ items: ScheduleSummary[] }>('GET', SCHEDULES_PATH)).items;
  schedule = (id: string): Promise<Schedule> => this.request('GET', schedulePath(id));
  createSchedule = (schedule: NewSchedule): Promise<Schedule> => this.request('POST', SCHEDULES_PATH, schedule);
  setSchedulePaused = (id: string, paused: boolean): Promise<Schedule> => this.request('PATCH', schedulePath(id), { paused });
  removeSchedule = (id: string): Promise<unknown> => this.request('DELETE', schedulePath(id));
  /** A page of a schedule's occurrences, newest first; `cursor` is the previous page's `nextCursor`. */
  scheduleHistory = (id: string, cursor?: string): Promise<OccurrencePage> => this.request('GET', scheduleHistoryPath(id, cursor));
  /** The declared workflows this server can run, with their stages. */
  workflowDefinitions = async (): Promise<WorkflowDefinition[]> => (await this.request<{ items: WorkflowDefinition[] }>('GET', WORKFLOW_DEFINITIONS_PATH)).items;
  /** Starts a workflow (a declared one by name); the answer names the new workflow. */
  submitWorkflow = (submission: WorkflowSubmission): Promise<{ id: string; status: string }> => this.request('POST', WORKFLOWS_PATH, submission);
  workflow = (id: string): Promise<WorkflowView> => this.request('GET', workflowPath(id));
  cancelWorkflow = (id: string): Promise<{ id: string; status: string }> => this.request('POST', workflowActionPath(id, 'cancel'), {});
  /** A failed workflow again from its failed stage, as a new workflow (its answer names it). */
  retryWorkflow = (id: string): Promise<{ id: string; status: string }> => this.request('POST', workflowActionPath(id, 'retry'), {});
}
