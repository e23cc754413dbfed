import { Agent, request } from 'node:http';

export interface OpenLoopResult {
  offeredPerSec: number;
  sent: number;
  ok: number;
  failed: number;
  acceptedPerSec: number;
  p50ms: number;
  p99ms: number;
  p999ms: number;
  maxMs: number;
  /** Connections opened during the measured phase (0 when the open ones all stayed open). */
  newConnections: number;
  /**
   * How late the generator itself sent (from each request's scheduled start to its send), p99 ms: its own
   * share of the latencies, when the machine keeps it from running on time.
   */
  sendLagP99ms: number;
  /** Answers by HTTP status ('error': no answer, e.g. a reset connection). */
  statuses: Record<string, number>;
}

const quantile = (sorted: number[], q: number): number => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;

/**
 * An open-loop load: requests start at a constant rate over a pool of `connections` keep-alive sockets,
 * whatever the answers' latency (a closed loop, or a generator that sends each second's quota at once,
 * would hide queueing or invent it). Latency is from each request's scheduled start.
 */
export async function openLoop(opts: {
  url: string;
  headers: Record<string, string>;
  body: string;
  ratePerSec: number;
  seconds: number;
  connections: number;
  /** Called once the connections are open, just before the measured phase. */
  onStart?: () => Promise<void>;
}): Promise<OpenLoopResult> {
  // fifo: requests rotate over every open socket, so all `connections` carry load, not just a few.
  const agent = new Agent({ keepAlive: true, maxSockets: opts.connections, scheduling: 'fifo' });
  const target = new URL(opts.url);
  const latencies: number[] = [];
  const sendLags: number[] = [];
  let ok = 0;
  let failed = 0;
  let statuses: Record<string, number> = {};
  const count = (status: string): void => void (statuses[status] = (statuses[status] ?? 0) + 1);
  const sockets = new WeakSet<object>();
  let newConnections = 0;
  const total = Math.round(opts.ratePerSec * opts.seconds);
  const inFlight: Promise<void>[] = [];
  const one = (scheduledAt: number): Promise<void> =>
    new Promise((resolve) => {
      sendLags.push(performance.now() - scheduledAt);
      const req = request(
        { agent, method: 'POST', host: target.hostname, port: target.port, path: target.pathname, headers: { ...opts.headers, 'content-length': Buffer.byteLength(opts.body) } },
        (res) => {
          res.resume();
          res.on('end', () => {
            latencies.push(performance.now() - scheduledAt);
            count(String(res.statusCode));
            if (res.statusCode && res.statusCode < 300) ok++;
            else failed++;
            resolve();
          });
        },
      );
      req.on('socket', (socket) => {
        if (sockets.has(socket)) return;
        sockets.add(socket);
        newConnections++;
      });
      req.on('error', () => {
        count('error');
        failed++;
        resolve();
      });
      req.end(opts.body);
    });
  // Open every connection first (one request each), so connection setup is not counted as latency.
  await Promise.all(Array.from({ length: opts.connections }, () => one(performance.now())));
  await opts.onStart?.();
  latencies.length = 0;
  sendLags.length = 0;
  ok = 0;
  failed = 0;
  statuses = {};
  newConnections = 0;
  const t0 = performance.now();
  for (let i = 0; i < total; i++) {
    const due = t0 + (i * 1000) / opts.ratePerSec;
    const wait = due - performance.now();
    if (wait > 1) await new Promise((r) => setTimeout(r, wait));
    inFlight.push(one(due));
  }
  await Promise.all(inFlight);
  const elapsed = (performance.now() - t0) / 1000;
  agent.destroy();
  const sorted = latencies.sort((a, b) => a - b);
  return {
    offeredPerSec: opts.ratePerSec,
    sent: total,
    ok,
    failed,
    acceptedPerSec: Number((ok / elapsed).toFixed(1)),
    p50ms: Number(quantile(sorted, 0.5).toFixed(1)),
    p99ms: Number(quantile(sorted, 0.99).toFixed(1)),
    p999ms: Number(quantile(sorted, 0.999).toFixed(1)),
    maxMs: Number((sorted.at(-1) ?? 0).toFixed(1)),
    sendLagP99ms: Number(quantile(sendLags.sort((a, b) => a - b), 0.99).toFixed(1)),
    statuses,
    newConnections,
  };
}
