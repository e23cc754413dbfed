import { loadavg } from 'node:os';
import { median, round } from '../lib/rate';
import type { BrokerMessages } from './broker-messages';
import type { EndToEnd } from './end-to-end';

/** One system's end-to-end round, with the machine's load average (1, 5, 15 min) as it ended. */
export type Round = EndToEnd & { loadAverage: number[] };

/** A system measured in rounds: each round's figures and their medians. */
export interface Rounds {
  rounds: Round[];
  /** Per figure, the median over the rounds (the total too is the rounds' median, not the sum of the parts' medians). */
  median: EndToEnd;
}

const medianOf = (runs: EndToEnd[], pick: (e: EndToEnd) => number | undefined): number | undefined => {
  const values = runs.map(pick).filter((v): v is number => v !== undefined);
  return values.length ? round(median(values), 2) : undefined;
};

/** The rounds' medians, figure by figure; a part missing from a round counts 0 there. */
export function medianRun(runs: EndToEnd[]): EndToEnd {
  const parts = [...new Set(runs.flatMap((e) => Object.keys(e.cpuMsPerTask)))];
  return {
    tasks: runs[0].tasks,
    seconds: medianOf(runs, (e) => e.seconds)!,
    perSecond: round(median(runs.map((e) => e.perSecond)), 1),
    cpuMsPerTask: Object.fromEntries(parts.map((p) => [p, medianOf(runs, (e) => e.cpuMsPerTask[p] ?? 0)!])),
    cpuMsPerTaskTotal: medianOf(runs, (e) => e.cpuMsPerTaskTotal)!,
    writesPerTask: medianOf(runs, (e) => e.writesPerTask),
    scansPerTask: medianOf(runs, (e) => e.scansPerTask),
    brokerPerTask: runs[0].brokerPerTask && (Object.fromEntries(Object.keys(runs[0].brokerPerTask).map((k) => [k, medianOf(runs, (e) => e.brokerPerTask?.[k as keyof BrokerMessages])!])) as BrokerMessages),
    backgroundCpuMsPerSec: Object.fromEntries(Object.keys(runs[0].backgroundCpuMsPerSec).map((p) => [p, medianOf(runs, (e) => e.backgroundCpuMsPerSec[p])!])),
  };
}

/**
 * Runs each system's round in turn, `rounds` times (A B A B ...): this machine's load moves by +-20% within
 * minutes, so one run of each, minutes apart, compared whichever met the quieter minute.
 */
export async function alternate(systems: Record<string, () => Promise<EndToEnd>>, rounds: number): Promise<Record<string, Rounds>> {
  const runs: Record<string, Round[]> = Object.fromEntries(Object.keys(systems).map((name) => [name, []]));
  for (let r = 0; r < rounds; r++) {
    for (const [name, measure] of Object.entries(systems)) runs[name].push({ ...(await measure()), loadAverage: loadavg().map((l) => round(l, 1)) });
  }
  return Object.fromEntries(Object.entries(runs).map(([name, list]) => [name, { rounds: list, median: medianRun(list) }]));
}
