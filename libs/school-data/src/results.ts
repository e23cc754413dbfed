/** Word results packed as a string of `1`s (right) and `0`s (wrong), one per word in the test's order. */
export function packResults(correct: readonly boolean[]): string {
  return correct.map((ok) => (ok ? '1' : '0')).join('');
}

export interface Score {
  correct: number;
  total: number;
}

export function scoreOf(results: string): Score {
  let correct = 0;
  for (let i = 0; i < results.length; i++) if (results.charCodeAt(i) === 49) correct++;
  return { correct, total: results.length };
}

/** Percent right, 0–100; undefined for an empty test. */
export function percentOf(results: string): number | undefined {
  const { correct, total } = scoreOf(results);
  return total === 0 ? undefined : (100 * correct) / total;
}

export const isPackedResults = (value: string): boolean => /^[01]+$/.test(value);
