/** The gateway's URLs the console calls, built in one place. */

export interface TaskFilter {
  type?: string;
  status?: string;
  tag?: string;
  limit?: number;
  cursor?: string;
}

const enc = encodeURIComponent;

export function taskListPath(filter: TaskFilter): string {
  const query = new URLSearchParams();
  for (const [name, value] of Object.entries(filter)) {
    if (value !== undefined && value !== '') query.set(name, String(value));
  }
  const search = query.toString();
  return search ? `/v1/tasks?${search}` : '/v1/tasks';
}

export const taskPath = (id: string): string => `/v1/tasks/${enc(id)}`;
export const taskLogsPath = (id: string): string => `/v1/tasks/${enc(id)}/logs`;
export const taskChildrenPath = (id: string, cursor?: string): string =>
  `/v1/tasks/${enc(id)}/children${cursor ? `?cursor=${enc(cursor)}` : ''}`;
export const taskCancelPath = (id: string): string => `/v1/tasks/${enc(id)}/cancel`;
export const taskRetryPath = (id: string): string => `/v1/tasks/${enc(id)}/retry`;
export const deadLettersPath = (type: string): string => `/v1/admin/dead-letters/${enc(type)}`;
export const replayPath = (type: string): string => `/v1/admin/dead-letters/${enc(type)}/replay`;
export const jobTypeControlPath = (type: string, action: 'pause' | 'resume'): string => `/v1/admin/job-types/${enc(type)}/${action}`;
export const API_KEYS_PATH = '/v1/admin/api-keys';
export const SCHEDULES_PATH = '/v1/schedules';
export const schedulePath = (id: string): string => `${SCHEDULES_PATH}/${enc(id)}`;
export const scheduleHistoryPath = (id: string, cursor?: string): string => `${schedulePath(id)}/history${cursor ? `?cursor=${enc(cursor)}` : ''}`;
export const apiKeyPath = (id: string): string => `${API_KEYS_PATH}/${enc(id)}`;

/** EventSource cannot send headers, so the stream takes the key as a query parameter. */
export const taskEventsPath = (id: string, key: string): string => `/v1/tasks/${enc(id)}/events?access_token=${enc(key)}`;
export const WORKFLOWS_PATH = '/v1/workflows';
export const WORKFLOW_DEFINITIONS_PATH = '/v1/workflows/definitions';
export const workflowPath = (id: string): string => `${WORKFLOWS_PATH}/${enc(id)}`;
export const workflowActionPath = (id: string, action: 'cancel' | 'retry'): string => `${workflowPath(id)}/${action}`;
