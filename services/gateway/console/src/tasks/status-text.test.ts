import type { Task } from '../api/api-types';
import { deleteRefusal, isCancellable, retryRefusal, statusSentence } from './status-text';

const base: Task = { id: 't', type: 'x', title: 'x', owner: 'o', params: {}, status: 'queued', progress: 0, attempt: 0, maxAttempts: 3, artifacts: [], createdAt: '', queuedAt: '' };

describe('status text', () => {
  it('explains each status', () => {
    expect(statusSentence({ ...base, status: 'retrying', attempt: 1 })).toBe('Attempt 1 of 3 failed; it will be retried shortly.');
    expect(statusSentence({ ...base, status: 'failed', attempt: 3 })).toBe('Failed after 3 attempts.');
    expect(statusSentence({ ...base, status: 'running', cancelRequestedAt: 'x' })).toBe('Cancelling: the worker is stopping the job.');
  });

  it('offers cancel only while the task is unfinished and no cancel is pending', () => {
    expect(isCancellable(base)).toBe(true);
    expect(isCancellable({ ...base, status: 'running' })).toBe(true);
    expect(isCancellable({ ...base, status: 'succeeded' })).toBe(false);
    expect(isCancellable({ ...base, cancelRequestedAt: 'x' })).toBe(false);
  });

  it('allows running again only failed or cancelled tasks, and deleting only finished ones', () => {
    for (const status of ['failed', 'cancelled'] as const) expect(retryRefusal({ ...base, status })).toBeUndefined();
    for (const status of ['queued', 'running', 'scheduled', 'retrying', 'succeeded', 'expired'] as const) expect(retryRefusal({ ...base, status })).toBeDefined();
    for (const status of ['succeeded', 'failed', 'cancelled', 'expired'] as const) expect(deleteRefusal({ ...base, status })).toBeUndefined();
    for (const status of ['queued', 'running', 'scheduled', 'retrying'] as const) expect(deleteRefusal({ ...base, status })).toBeDefined();
  });
});
