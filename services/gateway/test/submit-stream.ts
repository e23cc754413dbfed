import { randomUUID } from 'node:crypto';
import { waitFor } from '@taskyard/testing';

/**
 * A client submitting tasks one after another (each with its own Idempotency-Key, retried on 503 with the
 * same key) and reading the previous one back. Records the longest time a submit took to be accepted.
 */
/**
 * The stack's environment for a stream: its 300 ms jobs send their start alone (after 250 ms, not the default
 * second), so the kills meet the long-job path too (a start folded alone, the task remembered, its end checked).
 */
export const LONG_JOB_ENV = { START_DELAY_MS: '250' };

export class SubmitStream {
  readonly ids: string[] = [];
  longestPauseMs = 0;
  answered503 = 0;
  failure?: Error;
  private running = true;
  private readonly done: Promise<void>;

  constructor(
    private readonly gatewayUrl: string,
    private readonly key: string,
    private readonly gapMs: number,
  ) {
    this.done = this.loop().catch((err: Error) => void (this.failure = err));
  }

  private async call(method: string, url: string, init: { body?: unknown; headers?: Record<string, string> } = {}): Promise<{ status: number; body: Record<string, unknown> }> {
    const res = await fetch(`${this.gatewayUrl}${url}`, {
      method,
      headers: { authorization: `Bearer ${this.key}`, ...(init.body ? { 'content-type': 'application/json' } : {}), ...init.headers },
      body: init.body ? JSON.stringify(init.body) : undefined,
      signal: AbortSignal.timeout(30_000),
    }).catch((err: Error) => {
      // fetch says only 'fetch failed': a refused connection (the gateway gone) and a closed kept-alive socket
      // differ in the cause.
      const cause = err.cause as { code?: string; message?: string } | undefined;
      throw new Error(`${method} ${url}: ${err.message}${cause ? ` (${cause.code ?? ''} ${cause.message ?? ''})` : ''}`);
    });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  }

  /** A 503 is allowed, with the error body; anything else but success ends the stream with a failure. */
  private accept(res: { status: number; body: Record<string, unknown> }, ok: number[]): boolean {
    if (ok.includes(res.status)) return true;
    const error = res.body.error as { code?: unknown; message?: unknown } | undefined;
    if (res.status !== 503 || typeof error?.code !== 'string' || typeof error.message !== 'string') {
      throw new Error(`gateway answered ${res.status} ${JSON.stringify(res.body)}`);
    }
    this.answered503 += 1;
    return false;
  }

  private async loop(): Promise<void> {
    while (this.running) {
      const started = Date.now();
      const key = randomUUID();
      for (;;) {
        const res = await this.call('POST', '/v1/tasks', { body: { type: 'diagnostic', title: `stream ${this.ids.length}`, params: { sleepMs: 300 } }, headers: { 'idempotency-key': key } });
        if (this.accept(res, [200, 202])) {
          this.ids.push(String(res.body.id));
          break;
        }
        await new Promise((r) => setTimeout(r, 100));
      }
      for (;;) {
        if (this.accept(await this.call('GET', `/v1/tasks/${this.ids[this.ids.length - 1]}`), [200])) break;
        await new Promise((r) => setTimeout(r, 100));
      }
      this.longestPauseMs = Math.max(this.longestPauseMs, Date.now() - started);
      await new Promise((r) => setTimeout(r, this.gapMs));
    }
  }

  async stop(): Promise<void> {
    this.running = false;
    await this.done;
  }
}

/** Waits until the stream has had `count` more tasks accepted (or fails with the stream's failure). */
export function moreSubmitted(stream: SubmitStream, count: number): Promise<true> {
  const target = stream.ids.length + count;
  return waitFor(`${count} more submits`, () => {
    if (stream.failure) throw stream.failure;
    return stream.ids.length >= target;
  }, { timeoutMs: 60_000, intervalMs: 50 });
}

/** Each task's status once every one succeeded or any ended otherwise, counted by status. */
export async function settledStatuses(gatewayUrl: string, key: string, ids: string[]): Promise<Record<string, number>> {
  const statuses = new Map<string, string>();
  await waitFor('every task finished', async () => {
    for (const id of ids.filter((i) => !['succeeded', 'failed', 'cancelled'].includes(statuses.get(i) ?? ''))) {
      const res = await fetch(`${gatewayUrl}/v1/tasks/${id}`, { headers: { authorization: `Bearer ${key}` } });
      statuses.set(id, String(((await res.json()) as { status: string }).status));
    }
    return ids.every((id) => statuses.get(id) === 'succeeded') || ([...statuses.values()].some((s) => s === 'failed' || s === 'cancelled') && 'settled');
  }, { timeoutMs: 120_000, intervalMs: 500 });
  const byStatus: Record<string, number> = {};
  for (const s of statuses.values()) byStatus[s] = (byStatus[s] ?? 0) + 1;
  return byStatus;
}
