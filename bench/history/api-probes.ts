import { randomUUID } from 'node:crypto';
import { round } from '../lib/rate';

/** One API call's answer: its status and how long it took. */
interface Timed {
  status: number;
  ms: number;
  body: unknown;
}

/** The median of ≥5 timed calls, and how many did not answer as expected (a 503 at a database deadline, say). */
export interface Probe {
  medianMs: number;
  samples: number;
  failures: number;
  /** The first unexpected answer, to say what went wrong. */
  failure?: string;
  /** Each sample's ms in order (NaN where it did not answer `ok`): sample i of every stack was taken together. */
  samplesMs: number[];
}

export const median = (values: number[]): number => {
  const s = [...values].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

/** The list's cursor as the gateway gives it out (task-queries.ts encodeCursor): the position after which a page starts. */
export const cursorAt = (at: { createdAt: Date; id: string }): string =>
  Buffer.from(JSON.stringify([at.createdAt.getTime(), at.id])).toString('base64url');

/** The API as a client uses it, timing each call. */
export class Api {
  constructor(private readonly baseUrl: string) {}

  async call(key: string, method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<Timed> {
    const started = performance.now();
    const res = await fetch(`${this.baseUrl}${path}`, {
      method,
      headers: { authorization: `Bearer ${key}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    const ms = performance.now() - started;
    let parsed: unknown = text;
    try {
      parsed = JSON.parse(text);
    } catch {
      // not JSON: keep the text for the failure message
    }
    return { status: res.status, ms, body: parsed };
  }

  /** A no-op task; `delayMs` keeps it scheduled (not yet run), so it can be cancelled. */
  async submit(key: string, opts: { idempotencyKey?: string; delayMs?: number } = {}): Promise<Timed> {
    return this.call(key, 'POST', '/v1/tasks', { type: 'diagnostic', params: {}, ...(opts.delayMs ? { delayMs: opts.delayMs } : {}) }, opts.idempotencyKey ? { 'idempotency-key': opts.idempotencyKey } : {});
  }
}

/**
 * Runs `op` `n` times one after another (a lone client: latency, not load) after one unmeasured warm-up
 * call, and takes the median of the calls that answered `ok`.
 */
export async function probe(n: number, ok: number, op: (i: number) => Promise<Timed>): Promise<Probe> {
  return (await probeInterleaved(n, ok, [op]))[0];
}

/**
 * The same probe on several stacks (one op each), its samples taken in turn: sample i of every stack, then
 * sample i + 1 of every stack. A swing of the machine's load (other sessions' work) then falls on every stack
 * alike, instead of on whichever stage it met (bench/history README, session 5). Sample i starts at stack
 * i mod n (A B C, B C A, C A B ...): in a fixed order each stack's call always followed the same other
 * stack's, whose just-finished work (its database's writes, its processes' events) it met every time.
 */
export async function probeInterleaved(n: number, ok: number, ops: ((i: number) => Promise<Timed>)[]): Promise<Probe[]> {
  for (const op of ops) await op(-1);
  const times: number[][] = ops.map(() => []);
  const failures = ops.map(() => 0);
  const failure: (string | undefined)[] = ops.map(() => undefined);
  const inOrder: number[][] = ops.map(() => []);
  for (let i = 0; i < n; i++) {
    for (const k of rotation(ops.length, i)) {
      const op = ops[k];
      const r = await op(i);
      inOrder[k][i] = r.status === ok ? round(r.ms, 2) : Number.NaN;
      if (r.status === ok) times[k].push(r.ms);
      else {
        failures[k]++;
        failure[k] ??= `${r.status} ${JSON.stringify(r.body).slice(0, 200)}`;
      }
    }
  }
  return ops.map((_, k) => ({
    medianMs: times[k].length ? round(median(times[k]), 1) : Number.NaN,
    samples: times[k].length,
    failures: failures[k],
    ...(failure[k] ? { failure: failure[k] } : {}),
    samplesMs: inOrder[k],
  }));
}

/**
 * The median of one stack's samples over another's, sample by sample (the two taken within a few calls of
 * each other): a load swing longer than a sample falls on both sides of each ratio alike, where the medians'
 * ratio compares medians taken over seconds of changing load (bench/spelling-report does the same by round).
 */
export function pairedRatio(base: Probe, other: Probe): number {
  const ratios = base.samplesMs.map((b, i) => other.samplesMs[i] / b).filter((r) => Number.isFinite(r) && r > 0);
  return ratios.length ? round(median(ratios), 2) : Number.NaN;
}

/** The stacks' order in sample `i`: `n` of them starting at i mod n. */
export const rotation = (n: number, i: number): number[] => Array.from({ length: n }, (_, j) => (i + j) % n);

export const freshKey = (): string => `bench-${randomUUID()}`;
