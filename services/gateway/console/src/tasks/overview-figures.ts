import type { OverviewSeries, OverviewWindow } from '@taskyard/contracts';

const sum = (xs: number[]): number => xs.reduce((a, b) => a + b, 0);

/** The time (seconds since the epoch) of each point of a window, for the chart's x axis. */
export function windowTimes(window: OverviewWindow): number[] {
  const from = Date.parse(window.from) / 1000;
  return Array.from({ length: window.points }, (_, i) => from + i * window.stepSeconds);
}

export interface ActiveSeries extends OverviewSeries {
  total: { started: number; succeeded: number; failed: number };
}

/** Types with something in the window (busiest first), and the idle ones (named once, not charted). */
export function activeSeries(window: OverviewWindow): { active: ActiveSeries[]; idle: string[] } {
  const all = window.series.map((s) => ({ ...s, total: { started: sum(s.started), succeeded: sum(s.succeeded), failed: sum(s.failed) } }));
  const busy = (s: ActiveSeries): number => s.total.started + s.total.succeeded + s.total.failed;
  return {
    active: all.filter((s) => busy(s) > 0).sort((a, b) => busy(b) - busy(a) || a.type.localeCompare(b.type)),
    idle: all.filter((s) => busy(s) === 0).map((s) => s.type),
  };
}
