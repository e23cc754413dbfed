/** The console's screens, addressed by the URL hash so that the gateway serves one index.html for all. */
export type Route =
  /** The landing page: the overview for an admin, the task list for a user. */
  | { name: 'home' }
  | { name: 'overview' }
  | { name: 'tasks'; type?: string; status?: string; tag?: string }
  | { name: 'task'; id: string }
  | { name: 'workflow'; id: string }
  /** Start a declared workflow (`#/workflows/new/<name>`: that one's form). */
  | { name: 'new-workflow'; workflow?: string }
  | { name: 'new'; type?: string }
  | { name: 'queues' }
  | { name: 'dead-letters'; type: string }
  | { name: 'api-keys' }
  | { name: 'schedules' }
  | { name: 'schedule'; id: string }
  | { name: 'new-schedule'; type?: string }
  | { name: 'not-found'; hash: string };

function segmentsOf(path: string): string[] {
  return path.split('/').filter(Boolean).map(decodeURIComponent);
}

function tasksRoute(query: URLSearchParams): Route {
  return { name: 'tasks', type: query.get('type') || undefined, status: query.get('status') || undefined, tag: query.get('tag') || undefined };
}

/** `#/tasks/abc` → `{name: 'task', id: 'abc'}`; an empty hash is the task list. */
export function parseRoute(hash: string): Route {
  const raw = hash.replace(/^#/, '');
  const [path, search = ''] = raw.split('?', 2);
  const query = new URLSearchParams(search);
  const [first, second, third] = segmentsOf(path);
  if (!first && [...query.keys()].length === 0) return { name: 'home' };
  if (!first || (first === 'tasks' && !second)) return tasksRoute(query);
  if (first === 'overview' && !second) return { name: 'overview' };
  if (first === 'tasks' && second && !third) return { name: 'task', id: second };
  if (first === 'workflows' && second === 'new') return segmentsOf(path).length <= 3 ? { name: 'new-workflow', workflow: third } : { name: 'not-found', hash: raw };
  if (first === 'workflows' && second && !third) return { name: 'workflow', id: second };
  if (first === 'new' && !third) return { name: 'new', type: second };
  if (first === 'admin' && second === 'queues' && !third) return { name: 'queues' };
  if (first === 'admin' && second === 'dead-letters' && third) return { name: 'dead-letters', type: third };
  if (first === 'admin' && second === 'api-keys' && !third) return { name: 'api-keys' };
  if (first === 'schedules' && !second) return { name: 'schedules' };
  if (first === 'schedules' && second === 'new') return segmentsOf(path).length <= 3 ? { name: 'new-schedule', type: third } : { name: 'not-found', hash: raw };
  if (first === 'schedules' && second && !third) return { name: 'schedule', id: second };
  return { name: 'not-found', hash: raw };
}

/** The hash of a route, for links: the inverse of parseRoute. */
export function routeHref(route: Route): string {
  const enc = encodeURIComponent;
  switch (route.name) {
    case 'home':
      return '#/';
    case 'overview':
      return '#/overview';
    case 'tasks': {
      const query = new URLSearchParams();
      if (route.type) query.set('type', route.type);
      if (route.status) query.set('status', route.status);
      if (route.tag) query.set('tag', route.tag);
      const search = query.toString();
      return search ? `#/tasks?${search}` : '#/tasks';
    }
    case 'task':
      return `#/tasks/${enc(route.id)}`;
    case 'workflow':
      return `#/workflows/${enc(route.id)}`;
    case 'new-workflow':
      return route.workflow ? `#/workflows/new/${enc(route.workflow)}` : '#/workflows/new';
    case 'new':
      return route.type ? `#/new/${enc(route.type)}` : '#/new';
    case 'queues':
      return '#/admin/queues';
    case 'dead-letters':
      return `#/admin/dead-letters/${enc(route.type)}`;
    case 'api-keys':
      return '#/admin/api-keys';
    case 'schedules':
      return '#/schedules';
    case 'schedule':
      return `#/schedules/${enc(route.id)}`;
    case 'new-schedule':
      return route.type ? `#/schedules/new/${enc(route.type)}` : '#/schedules/new';
    case 'not-found':
      return `#${route.hash}`;
  }
}

/** A workflow's parent task's type (contracts' WORKFLOW_TYPE; the console takes only types from contracts). */
export const WORKFLOW_TYPE = 'workflow';

/** A task's page; a workflow's (a task of type `workflow`) is its stages' page. */
export const taskRoute = (task: { id: string; type: string }): Route => (task.type === WORKFLOW_TYPE ? { name: 'workflow', id: task.id } : { name: 'task', id: task.id });
