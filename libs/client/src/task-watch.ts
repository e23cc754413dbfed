import { createParser, type EventSourceMessage } from 'eventsource-parser';
import type { TaskStatus, TaskStreamEnd, TaskUpdate, TaskView } from '@taskyard/contracts';
import { TaskyardApiError, apiErrorOf } from './api-error';
import { DEFAULT_BACKOFF, reconnectDelayMs, type BackoffPolicy } from './reconnect-backoff';

/**
 * What a watch yields: the task's frames as GET /v1/tasks/:id/events sends them, plus `reconnecting`
 * when the stream broke before its `end` (each new stream starts with a fresh `snapshot`).
 */
export type WatchFrame =
  | { event: 'snapshot'; task: TaskView }
  | { event: 'update'; update: TaskUpdate }
  | { event: 'end'; status: TaskStatus }
  | { event: 'reconnecting'; attempt: number; delayMs: number; reason: string };

export interface WatchOptions {
  signal?: AbortSignal;
  backoff?: Partial<BackoffPolicy>;
}

/** Opens the event stream once; the watch calls it again after a break. */
export type OpenStream = (signal: AbortSignal | undefined) => Promise<Response>;

function frameOf(message: EventSourceMessage): WatchFrame | undefined {
  const data: unknown = JSON.parse(message.data);
  if (message.event === 'snapshot') return { event: 'snapshot', task: data as TaskView };
  if (message.event === 'update') return { event: 'update', update: data as TaskUpdate };
  if (message.event === 'end') return { event: 'end', status: (data as TaskStreamEnd).status };
  return undefined; // an event this client does not know yet: newer servers may add some
}

/** The frames of one opened stream, until it closes. */
async function* framesOf(res: Response): AsyncGenerator<WatchFrame> {
  if (!res.body) return;
  const pending: WatchFrame[] = [];
  const parser = createParser({
    onEvent: (message) => {
      const frame = frameOf(message);
      if (frame) pending.push(frame);
    },
  });
  const decoder = new TextDecoder();
  const reader = res.body.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      parser.feed(decoder.decode(value, { stream: true }));
      while (pending.length) yield pending.shift()!;
    }
  } finally {
    reader.releaseLock();
    await res.body.cancel().catch(() => undefined);
  }
}

const sleep = (ms: number, signal?: AbortSignal): Promise<void> =>
  new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => {
      clearTimeout(timer);
      reject(signal.reason);
    }, { once: true });
  });

/**
 * A task's frames until its `end`, reconnecting with back-off when the stream breaks (a gateway restart,
 * a proxy's idle timeout). Answers that asking again cannot fix (401, 404...) are thrown at once.
 */
export async function* watchTask(open: OpenStream, options: WatchOptions = {}): AsyncGenerator<WatchFrame> {
  const policy: BackoffPolicy = { ...DEFAULT_BACKOFF, ...options.backoff };
  let failures = 0;
  for (;;) {
    let reason: string;
    let retryAfter: number | undefined;
    try {
      const res = await open(options.signal);
      if (!res.ok) throw await apiErrorOf(res);
      for await (const frame of framesOf(res)) {
        failures = 0;
        yield frame;
        if (frame.event === 'end') return;
      }
      reason = 'the stream closed before the task ended';
    } catch (err) {
      if (options.signal?.aborted) throw err;
      if (err instanceof TaskyardApiError && !err.retryable) throw err;
      reason = err instanceof Error ? err.message : String(err);
      retryAfter = err instanceof TaskyardApiError ? err.retryAfterSeconds : undefined;
    }
    failures += 1;
    if (failures > policy.maxAttempts) throw new Error(`gave up watching after ${policy.maxAttempts} failed reconnections: ${reason}`);
    const delayMs = reconnectDelayMs(failures, policy, retryAfter);
    yield { event: 'reconnecting', attempt: failures, delayMs, reason };
    await sleep(delayMs, options.signal);
  }
}
