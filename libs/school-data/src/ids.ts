import { createHash } from 'node:crypto';

/** Deterministic ids: the same entity always gets the same `_id`, which is what makes writes idempotent. */
const pad = (n: number, width: number): string => String(n).padStart(width, '0');

export const schoolId = (n: number): string => `sch${pad(n, 4)}`;
export const classId = (school: string, n: number): string => `${school}-c${pad(n, 2)}`;
export const pupilId = (school: string, n: number): string => `${school}-p${pad(n, 5)}`;
export const batchId = (school: string, n: number): string => `${school}-b${pad(n, 3)}`;
export const spellingWeekId = (pupil: string, week: string): string => `${pupil}:${week}`;
export const assessmentScoreId = (batch: string, pupil: string, content: string): string => `${batch}:${pupil}:${content}`;

/** A word list's id depends on its words, so two imports of the same list share one document. */
export function spellingTestId(school: string, week: string, words: readonly string[]): string {
  const hash = createHash('sha1').update(words.join('\n')).digest('hex').slice(0, 12);
  return `${school}:${week}:${hash}`;
}
