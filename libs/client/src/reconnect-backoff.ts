/** How a watch waits before opening its stream again: doubling from `initialMs` up to `maxMs`. */
export interface BackoffPolicy {
  initialMs: number;
  maxMs: number;
  /** Consecutive failed openings before giving up (a stream that delivered a frame resets the count). */
  maxAttempts: number;
}

export const DEFAULT_BACKOFF: BackoffPolicy = { initialMs: 250, maxMs: 5_000, maxAttempts: 20 };

/**
 * The wait before reconnection attempt `attempt` (1-based). A server's `Retry-After` is honoured when it
 * asks for longer, and capped at `maxMs` times four so a bad header cannot park a watcher for hours.
 */
export function reconnectDelayMs(attempt: number, policy: BackoffPolicy, retryAfterSeconds?: number): number {
  const doubling = Math.min(policy.maxMs, policy.initialMs * 2 ** Math.max(0, attempt - 1));
  if (retryAfterSeconds === undefined) return doubling;
  return Math.max(doubling, Math.min(retryAfterSeconds * 1000, policy.maxMs * 4));
}
