import { parseRoute, routeHref, taskRoute, type Route } from './route';

describe('routes', () => {
  it.each<[string, Route]>([
    ['', { name: 'home' }],
    ['#/', { name: 'home' }],
    ['#/overview', { name: 'overview' }],
    ['#/?type=diagnostic', { name: 'tasks', type: 'diagnostic', status: undefined, tag: undefined }],
    ['#/tasks?type=diagnostic&status=failed', { name: 'tasks', type: 'diagnostic', status: 'failed', tag: undefined }],
    ['#/tasks?tag=year%204%20%26%20more', { name: 'tasks', type: undefined, status: undefined, tag: 'year 4 & more' }],
    ['#/tasks/0b1c', { name: 'task', id: '0b1c' }],
    ['#/new', { name: 'new', type: undefined }],
    ['#/new/cloud-import', { name: 'new', type: 'cloud-import' }],
    ['#/admin/queues', { name: 'queues' }],
    ['#/admin/dead-letters/diagnostic', { name: 'dead-letters', type: 'diagnostic' }],
    ['#/admin/api-keys', { name: 'api-keys' }],
    ['#/schedules', { name: 'schedules' }],
    ['#/schedules/new', { name: 'new-schedule', type: undefined }],
    ['#/schedules/new/diagnostic', { name: 'new-schedule', type: 'diagnostic' }],
    ['#/schedules/5f2c', { name: 'schedule', id: '5f2c' }],
    ['#/schedules/5f2c/more', { name: 'not-found', hash: '/schedules/5f2c/more' }],
    ['#/workflows/0b1c', { name: 'workflow', id: '0b1c' }],
    ['#/workflows/new', { name: 'new-workflow', workflow: undefined }],
    ['#/workflows/new/diagnostic-chain', { name: 'new-workflow', workflow: 'diagnostic-chain' }],
    ['#/workflows/new/a/b', { name: 'not-found', hash: '/workflows/new/a/b' }],
    ['#/nowhere/at/all', { name: 'not-found', hash: '/nowhere/at/all' }],
  ])('%s', (hash, route) => {
    expect(parseRoute(hash)).toEqual(route);
  });

  it('round-trips every route through its href', () => {
    const routes: Route[] = [
      { name: 'tasks', type: 'spelling-report', status: 'running', tag: undefined },
      { name: 'tasks', type: undefined, status: undefined, tag: 'class 4b/2026' },
      { name: 'task', id: 'a b/c' },
      { name: 'new', type: 'assessment-report' },
      { name: 'queues' },
      { name: 'dead-letters', type: 'cloud-import' },
      { name: 'api-keys' },
      { name: 'schedules' },
      { name: 'schedule', id: 'a b/c' },
      { name: 'new-schedule', type: 'spelling-report' },
      { name: 'workflow', id: 'a b/c' },
      { name: 'new-workflow', workflow: 'diagnostic-fan-out' },
    ];
    for (const route of routes) expect(parseRoute(routeHref(route))).toEqual(route);
    expect(routeHref({ name: 'tasks' })).toBe('#/tasks');
  });
});

test("a workflow's row opens its stages' page; any other task its own page", () => {
  expect(taskRoute({ id: 'w', type: 'workflow' })).toEqual({ name: 'workflow', id: 'w' });
  expect(taskRoute({ id: 't', type: 'diagnostic' })).toEqual({ name: 'task', id: 't' });
});
