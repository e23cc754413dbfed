import type { LogLine, Task } from '../api/api-types';
import { applyUpdate, isAhead, mergeFetched, mergeLogs, needsRefetch } from './task-updates';

const task: Task = {
  id: 't1',
  type: 'diagnostic',
  title: 'Diagnostic',
  owner: 'alice',
  params: {},
  status: 'queued',
  progress: 0,
  attempt: 0,
  maxAttempts: 3,
  artifacts: [],
  createdAt: '2026-01-10T12:00:00Z',
  queuedAt: '2026-01-10T12:00:00Z',
};
const line = (message: string, at = '2026-01-10T12:00:01Z'): LogLine => ({ at, level: 'info', message });

describe('applyUpdate', () => {
  it('takes status, progress and attempt, and the start time from the event', () => {
    const next = applyUpdate(task, { kind: 'started', at: '2026-01-10T12:00:05Z', status: 'running', attempt: 1 });
    expect(next).toMatchObject({ status: 'running', attempt: 1, startedAt: '2026-01-10T12:00:05Z' });
    expect(applyUpdate(next, { kind: 'progress', at: 'x', progress: 140 }).progress).toBe(100);
  });

  it('never moves a finished task back', () => {
    const done = { ...task, status: 'succeeded' as const, progress: 100 };
    expect(applyUpdate(done, { kind: 'progress', at: 'x', status: 'running', progress: 50 })).toBe(done);
  });

  it('notes a cancel request', () => {
    expect(applyUpdate(task, { kind: 'cancel-requested', at: '2026-01-10T12:01:00Z' }).cancelRequestedAt).toBe('2026-01-10T12:01:00Z');
  });
});

describe('mergeLogs', () => {
  it('appends only lines not shown yet', () => {
    const shown = [line('a'), line('b')];
    expect(mergeLogs(shown, [line('b'), line('c')]).map((l) => l.message)).toEqual(['a', 'b', 'c']);
    expect(mergeLogs(shown, [])).toBe(shown);
    expect(mergeLogs(shown, [line('a')])).toBe(shown);
  });

  it('puts lines fetched after newer streamed ones in time order', () => {
    const streamed = [line('step 2', '2026-01-10T12:00:05Z')];
    const fetched = [line('start', '2026-01-10T12:00:01Z'), line('step 1', '2026-01-10T12:00:03Z')];
    expect(mergeLogs(streamed, fetched).map((l) => l.message)).toEqual(['start', 'step 1', 'step 2']);
  });

  it('keeps the tail only', () => {
    const many = Array.from({ length: 10 }, (_, i) => line(`m${i}`, `2026-01-10T12:00:${String(i).padStart(2, '0')}Z`));
    expect(mergeLogs([], many, 4).map((l) => l.message)).toEqual(['m6', 'm7', 'm8', 'm9']);
  });
});

describe('needsRefetch', () => {
  it('refetches for changes the event does not carry in full', () => {
    expect(needsRefetch({ kind: 'progress', at: 'x', progress: 10 })).toBe(false);
    expect(needsRefetch({ kind: 'heartbeat', at: 'x' })).toBe(false);
    expect(needsRefetch({ kind: 'succeeded', at: 'x', status: 'succeeded' })).toBe(true);
    expect(needsRefetch({ kind: 'failed', at: 'x', status: 'retrying' })).toBe(true);
    expect(needsRefetch({ kind: 'progress', at: 'x', status: 'failed' })).toBe(true);
  });
});

describe('mergeFetched', () => {
  const running = { ...task, status: 'running' as const, attempt: 1, progress: 60 };

  it('takes the fetched task when it is as far along or further', () => {
    const done = { ...running, status: 'succeeded' as const, progress: 100, artifacts: [{ name: 'a', size: 1, contentType: 'x', url: 'u', expiresAt: 'e' }] };
    expect(mergeFetched(running, done)).toBe(done);
    expect(mergeFetched(undefined, running)).toBe(running);
  });

  it('never moves back to an earlier status, attempt or progress', () => {
    const done = { ...running, status: 'succeeded' as const, progress: 100 };
    expect(mergeFetched(done, running)).toMatchObject({ status: 'succeeded', progress: 100 });
    expect(mergeFetched(running, { ...task, status: 'queued' })).toMatchObject({ status: 'running', attempt: 1, progress: 60 });
    expect(mergeFetched(running, { ...running, progress: 30 }).progress).toBe(60);
  });

  it('lets a retry restart progress in its new attempt', () => {
    const retry = { ...running, status: 'running' as const, attempt: 2, progress: 10 };
    expect(mergeFetched(running, retry)).toBe(retry);
  });
});

describe('isAhead', () => {
  const seen = { status: 'running' as const, attempt: 1, progress: 33 };

  it('is true when the stored task got further than the stream delivered', () => {
    expect(isAhead({ ...seen, progress: 67 }, seen)).toBe(true);
    expect(isAhead({ ...seen, status: 'succeeded', progress: 100 }, seen)).toBe(true);
    expect(isAhead({ ...seen, attempt: 2, progress: 0 }, seen)).toBe(true);
  });

  it('is false when the stream is level with it or ahead', () => {
    expect(isAhead(seen, seen)).toBe(false);
    expect(isAhead({ ...seen, progress: 0, status: 'queued', attempt: 0 }, seen)).toBe(false);
  });
});
