import type { Task } from '../api/api-types';
import { shortfallBadge, shortfallsOf, shortfallText } from './shortfalls';

const rejected = { count: 32, of: 148, one: 'row rejected', other: 'rows rejected' };
const unknown = { count: 1, one: 'file not imported', other: 'files not imported' };
/** The result is the job's JSON as it came: anything may be in it. */
const task = (status: Task['status'], result?: Record<string, unknown>): Pick<Task, 'status' | 'result'> => ({ status, result: result as Task['result'] });

describe('shortfalls', () => {
  it('reads the well-formed shortfalls of a succeeded task only', () => {
    expect(shortfallsOf(task('succeeded', { rows: 148, partial: [rejected, unknown] }))).toEqual([rejected, unknown]);
    expect(shortfallsOf(task('expired', { partial: [rejected] }))).toEqual([rejected]);
    expect(shortfallsOf(task('running', { partial: [rejected] }))).toEqual([]);
    expect(shortfallsOf(task('succeeded'))).toEqual([]);
    expect(shortfallsOf(task('succeeded', { partial: 'lots' }))).toEqual([]);
    const hostile = [{ count: '3', one: 'x', other: 'xs' }, { count: 0, one: 'x', other: 'xs' }, { count: 2, one: '', other: 'xs' }, null, { count: 2, of: -1, one: 'x', other: 'xs' }];
    expect(shortfallsOf(task('succeeded', { partial: hostile }))).toEqual([]);
  });

  it('says each as a count of what was left out', () => {
    expect(shortfallText(rejected)).toBe('32 of 148 rows rejected');
    expect(shortfallText({ ...rejected, count: 1 })).toBe('1 of 148 rows rejected');
    expect(shortfallText(unknown)).toBe('1 file not imported');
    expect(shortfallText({ ...unknown, count: 3 })).toBe('3 files not imported');
  });

  it('puts the first on the badge and counts the others', () => {
    expect(shortfallBadge([])).toBe('');
    expect(shortfallBadge([rejected])).toBe('32 of 148 rows rejected');
    expect(shortfallBadge([rejected, unknown])).toBe('32 of 148 rows rejected, +1 more');
  });
});
