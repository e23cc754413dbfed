import type { Shortfall, Task } from '../api/api-types';

const isCount = (n: unknown): n is number => typeof n === 'number' && Number.isInteger(n) && n > 0;
const isWords = (w: unknown): w is string => typeof w === 'string' && w.length > 0 && w.length <= 200;

/** The result is the job's own JSON: only well-formed shortfalls are shown, anything else is left out. */
function isShortfall(value: unknown): value is Shortfall {
  if (typeof value !== 'object' || value === null) return false;
  const s = value as Record<string, unknown>;
  return isCount(s.count) && (s.of === undefined || isCount(s.of)) && isWords(s.one) && isWords(s.other);
}

/** What a task that succeeded left undone (rows rejected, batches skipped), as its job counted it. */
export function shortfallsOf(task: Pick<Task, 'status' | 'result'>): Shortfall[] {
  if (task.status !== 'succeeded' && task.status !== 'expired') return [];
  const partial = task.result?.partial;
  return Array.isArray(partial) ? partial.filter(isShortfall) : [];
}

/** "32 of 148 rows rejected", "1 file not imported (unknown name)". */
export function shortfallText(s: Shortfall): string {
  const noun = (s.of ?? s.count) === 1 ? s.one : s.other;
  return s.of !== undefined ? `${s.count} of ${s.of} ${noun}` : `${s.count} ${noun}`;
}

/** The badge's words: the first shortfall, and how many more there are. */
export function shortfallBadge(list: Shortfall[]): string {
  if (list.length === 0) return '';
  return list.length === 1 ? shortfallText(list[0]) : `${shortfallText(list[0])}, +${list.length - 1} more`;
}
