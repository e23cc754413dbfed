import type { TaskView } from '@taskyard/contracts';
import { timelineOf } from './timeline';

const base: TaskView = {
  id: 't', type: 'diagnostic', title: 'x', owner: 'o', params: {}, status: 'failed', progress: 0, attempt: 2, maxAttempts: 2, artifacts: [],
  createdAt: '2026-11-30T13:00:00.000Z', queuedAt: '2026-11-30T13:00:00.000Z',
};

test('a retried task: each attempt starts and fails with its error, the first with its retry time, then the final status', () => {
  const task: TaskView = {
    ...base,
    error: { code: 'boom', message: 'second' },
    startedAt: '2026-11-30T13:00:01.000Z',
    finishedAt: '2026-11-30T13:00:09.000Z',
    attempts: [
      { attempt: 1, startedAt: '2026-11-30T13:00:01.000Z', endedAt: '2026-11-30T13:00:03.000Z', outcome: 'failed', error: { code: 'boom', message: 'first' }, retryAt: '2026-11-30T13:00:05.000Z' },
      { attempt: 2, startedAt: '2026-11-30T13:00:06.000Z', endedAt: '2026-11-30T13:00:09.000Z', outcome: 'failed', error: { code: 'boom', message: 'second' } },
    ],
  };
  const lines = timelineOf(task);
  expect(lines.map((l) => [l.tone, l.title.replace(/due at .*/, 'due at …'), l.detail, l.code])).toEqual([
    ['neutral', 'Submitted', undefined, undefined],
    ['neutral', 'Attempt 1 of 2 started', undefined, undefined],
    ['bad', 'Attempt 1 failed after 2.0 s; retry due at …', 'first', 'boom'],
    ['neutral', 'Attempt 2 of 2 started', undefined, undefined],
    ['bad', 'Attempt 2 failed after 3.0 s', 'second', 'boom'],
    ['bad', 'Finished: failed', undefined, undefined],
  ]);
});

test('a task that failed in its queue shows why at its end; a late queueing is its own line', () => {
  const task: TaskView = { ...base, queuedAt: '2026-11-30T13:05:00.000Z', error: { code: 'expired-in-queue', message: 'waited too long' }, finishedAt: '2026-11-30T14:00:00.000Z' };
  expect(timelineOf(task).map((l) => [l.title, l.code])).toEqual([
    ['Submitted', undefined],
    ['Queued', undefined],
    ['Finished: failed', 'expired-in-queue'],
  ]);
});
