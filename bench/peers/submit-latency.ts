import { loadavg } from 'node:os';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { EVENT_LOOP_MONITOR_MS } from '@taskyard/logging';
import type { ProcessStack } from '@taskyard/testing';
import { round } from '../lib/rate';
import { openLoop, type OpenLoopResult } from '../lifecycle/open-loop';
import { cannon } from '../lifecycle/saturate';
import { threadTime, type ThreadTime } from './core-wait';
import { machineTicks, processCpuSeconds } from './parts';

/** Where a submit's time went in the gateway, from its own /metrics over one phase. */
export interface GatewayPhase {
  /**
   * The gateway's event loop delay over the phase (monitorEventLoopDelay, reset at each scrape), less the
   * monitor's interval, which Node's gauges include (EVENT_LOOP_MONITOR_MS; 10 ms before session 7, not subtracted then).
   */
  eventLoopDelayP99ms: number;
  eventLoopDelayMaxMs: number;
  /** The gateway process's CPU over the phase: ms per accepted submit, and the share of one core it kept busy. */
  cpuMsPerSubmit: number;
  coreShare: number;
  /** The whole machine's CPU busy share over the phase (all cores; others' load included). */
  machineBusyShare: number;
  /**
   * The gateway's JavaScript thread over the phase (scheduler statistics), as shares of it: on a core, runnable but
   * waiting for one (the machine's load: what its event-loop delay is made of when the machine is busy), idle.
   */
  threadShares: { run: number; coreWait: number; idle: number };
  /** The gateway's garbage collection over the phase, by kind (minor, major, incremental): pauses and ms in all. */
  gc: Record<string, { count: number; ms: number }>;
  /** The load generator's own event-loop delay over the phase: a late client adds it to every latency it measures. */
  clientEventLoopDelayP99ms: number;
  /** Per submit stage: how many passed it, mean ms and an upper bound of p99 ms (the histogram's bucket). */
  stages: Record<string, { count: number; meanMs: number; p99UpperMs: number }>;
}

export interface SubmitLatency {
  loadAverageBefore: number[];
  loadAverageAfter: number[];
  sustainedAcceptedPerSec: number;
  saturationNon2xx: number;
  latencyAtHalfRate: OpenLoopResult & { connections: number };
  gateway: GatewayPhase;
}

type Scrape = Map<string, number>;

async function scrape(gatewayUrl: string): Promise<Scrape> {
  const text = await (await fetch(`${gatewayUrl}/metrics`)).text();
  const values: Scrape = new Map();
  for (const m of text.matchAll(/^(taskyard_gateway_(?:nodejs_eventloop_lag_\w+|nodejs_gc_duration_seconds_(?:sum|count)|submit_stage_seconds_\w+)(?:\{[^}]*\})?) (\S+)$/gm)) values.set(m[1], Number(m[2]));
  return values;
}

/** The gateway's event loop delay gauge in ms, without the monitor's own interval. */
const loopDelayMs = (scraped: Scrape, stat: 'p99' | 'max'): number =>
  round(Math.max(0, 1000 * (scraped.get(`taskyard_gateway_nodejs_eventloop_lag_${stat}_seconds`) ?? 0) - EVENT_LOOP_MONITOR_MS), 1);

function gcBetween(before: Scrape, after: Scrape): GatewayPhase['gc'] {
  const gc: GatewayPhase['gc'] = {};
  for (const [key, count] of after) {
    const kind = /nodejs_gc_duration_seconds_count\{kind="([^"]+)"\}/.exec(key)?.[1];
    if (!kind) continue;
    const sum = key.replace('_count', '_sum');
    const n = count - (before.get(key) ?? 0);
    if (n > 0) gc[kind] = { count: n, ms: round(1000 * ((after.get(sum) ?? 0) - (before.get(sum) ?? 0)), 1) };
  }
  return gc;
}

function stagesBetween(before: Scrape, after: Scrape): GatewayPhase['stages'] {
  const delta = (k: string): number => (after.get(k) ?? 0) - (before.get(k) ?? 0);
  const stages: GatewayPhase['stages'] = {};
  const names = new Set([...after.keys()].map((k) => /submit_stage_seconds_count\{stage="([^"]+)"\}/.exec(k)?.[1]).filter((s): s is string => !!s));
  for (const stage of names) {
    const count = delta(`taskyard_gateway_submit_stage_seconds_count{stage="${stage}"}`);
    if (count <= 0) continue;
    const sum = delta(`taskyard_gateway_submit_stage_seconds_sum{stage="${stage}"}`);
    const buckets = [...after.keys()]
      .filter((k) => k.includes('submit_stage_seconds_bucket') && k.includes(`stage="${stage}"`))
      .map((k) => {
        const le = /le="([^"]+)"/.exec(k)![1];
        return { le: le === '+Inf' ? Infinity : Number(le), n: delta(k) };
      })
      .sort((a, b) => a.le - b.le);
    const p99 = buckets.find((b) => b.n >= 0.99 * count)?.le ?? Infinity;
    stages[stage] = { count, meanMs: round((1000 * sum) / count, 1), p99UpperMs: p99 === Infinity ? -1 : round(1000 * p99, 1) };
  }
  return stages;
}

/**
 * Submit alone (nothing else running in the stack): the closed-loop saturation rate over 50 connections,
 * then latency with 1,000 open connections offered half that rate (open loop), with the gateway's event
 * loop delay and each submit stage's time over the open-loop phase.
 */
export async function measureSubmitLatency(stack: ProcessStack, userKey: string, opts: { seconds: number; log: (line: string) => void }): Promise<SubmitLatency> {
  const loadAverageBefore = loadavg().map((l) => round(l, 1));
  opts.log(`taskyard: submit saturation (50 connections, ${opts.seconds} s), load average ${loadAverageBefore.join(' ')}`);
  const saturation = await cannon(stack.gatewayUrl, userKey, { connections: 50, duration: opts.seconds });
  const sustained = round(saturation['2xx'] / (saturation.duration || 1), 1);
  const rate = Math.max(1, Math.round(sustained / 2));
  opts.log(`taskyard: submit latency, 1,000 open connections offering ${rate}/s`);
  let before: Scrape = new Map();
  const gatewayPid = stack.processes.find((p) => p.name === 'gateway')!.child.pid!;
  let cpu0 = 0;
  let machine0 = machineTicks();
  let thread0: ThreadTime = threadTime(gatewayPid);
  const clientDelay = monitorEventLoopDelay({ resolution: 10 });
  let t0 = 0;
  const latency = await openLoop({
    url: `${stack.gatewayUrl}/v1/tasks`,
    headers: { authorization: `Bearer ${userKey}`, 'content-type': 'application/json' },
    body: JSON.stringify({ type: 'diagnostic', params: {} }),
    ratePerSec: rate,
    seconds: opts.seconds,
    connections: 1000,
    // After the connections are open: the scrape resets the event loop histogram for the measured phase.
    onStart: async () => {
      before = await scrape(stack.gatewayUrl);
      cpu0 = processCpuSeconds(gatewayPid);
      machine0 = machineTicks();
      thread0 = threadTime(gatewayPid);
      clientDelay.enable();
      t0 = performance.now();
    },
  });
  clientDelay.disable();
  const thread1 = threadTime(gatewayPid);
  const after = await scrape(stack.gatewayUrl);
  const cpuSeconds = processCpuSeconds(gatewayPid) - cpu0;
  const machine1 = machineTicks();
  const elapsed = (performance.now() - t0) / 1000;
  const run = (thread1.runS - thread0.runS) / elapsed;
  const coreWait = (thread1.coreWaitS - thread0.coreWaitS) / elapsed;
  const gateway: GatewayPhase = {
    eventLoopDelayP99ms: loopDelayMs(after, 'p99'),
    eventLoopDelayMaxMs: loopDelayMs(after, 'max'),
    cpuMsPerSubmit: round((1000 * cpuSeconds) / Math.max(1, latency.ok), 2),
    coreShare: round(cpuSeconds / elapsed, 2),
    machineBusyShare: round((machine1.busy - machine0.busy) / Math.max(1, machine1.total - machine0.total), 2),
    threadShares: { run: round(run, 2), coreWait: round(coreWait, 2), idle: round(Math.max(0, 1 - run - coreWait), 2) },
    gc: gcBetween(before, after),
    clientEventLoopDelayP99ms: round(clientDelay.percentile(99) / 1e6, 1),
    stages: stagesBetween(before, after),
  };
  return {
    loadAverageBefore,
    loadAverageAfter: loadavg().map((l) => round(l, 1)),
    sustainedAcceptedPerSec: sustained,
    saturationNon2xx: saturation.non2xx,
    latencyAtHalfRate: { connections: 1000, ...latency },
    gateway,
  };
}
