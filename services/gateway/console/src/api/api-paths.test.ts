import { taskChildrenPath, taskEventsPath, taskListPath, taskPath } from './api-paths';

describe('api paths', () => {
  it('builds the list query from the filters that are set', () => {
    expect(taskListPath({})).toBe('/v1/tasks');
    expect(taskListPath({ type: 'spelling-report', status: '', limit: 20, cursor: 'a b' })).toBe('/v1/tasks?type=spelling-report&limit=20&cursor=a+b');
  });

  it('escapes ids and puts the key on the event stream URL', () => {
    expect(taskPath('a/b')).toBe('/v1/tasks/a%2Fb');
    expect(taskEventsPath('t1', 'k+y')).toBe('/v1/tasks/t1/events?access_token=k%2By');
    expect(taskChildrenPath('p/1')).toBe('/v1/tasks/p%2F1/children');
    expect(taskChildrenPath('p1', 'c=1&x')).toBe('/v1/tasks/p1/children?cursor=c%3D1%26x');
  });
});
