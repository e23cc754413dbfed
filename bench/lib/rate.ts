/** How much work was done in how long: the unit every benchmark reports. */
export interface Rate {
  count: number;
  seconds: number;
  perSecond: number;
}

export function rate(count: number, startedAt: number, endedAt = performance.now()): Rate {
  const seconds = (endedAt - startedAt) / 1000;
  return { count, seconds: round(seconds, 3), perSecond: round(count / seconds, 1) };
}

export const round = (value: number, digits: number): number => Number(value.toFixed(digits));

/**
 * Runs `clients` loops side by side, each calling `op` until `ms` have passed. `op` returns the units it
 * completed (1 for a write, n for n documents read) and gets the deadline, so a long op can stop early.
 * Elapsed time runs to the last loop's finish, so the overrun of the last op is counted, not hidden.
 */
export async function runFor(clients: number, ms: number, op: (client: number, until: number) => Promise<number>): Promise<Rate> {
  const start = performance.now();
  const until = start + ms;
  const counts = await Promise.all(
    Array.from({ length: clients }, async (_, client) => {
      let done = 0;
      while (performance.now() < until) done += await op(client, until);
      return done;
    }),
  );
  return rate(counts.reduce((a, b) => a + b, 0), start);
}

/** Runs `op` for items 0..total-1 with at most `concurrency` in flight; returns items per second. */
export async function runCount(total: number, concurrency: number, op: (item: number) => Promise<unknown>): Promise<Rate> {
  const start = performance.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(concurrency, total) }, async () => {
      while (next < total) await op(next++);
    }),
  );
  return rate(total, start);
}

/** The middle value (the mean of the two middle ones for an even count). */
export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}
