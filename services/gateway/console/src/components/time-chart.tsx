import { useEffect, useRef } from 'preact/hooks';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';

export interface ChartLine {
  label: string;
  color: string;
  values: number[];
  /** Width of this series' bars, as a share of a period (narrower bars drawn over wider ones stay visible). */
  barWidth: number;
}

interface Props {
  /** Seconds since the epoch of each point, `step` seconds apart. */
  times: number[];
  step: number;
  lines: ChartLine[];
  height?: number;
  /** What the chart shows, for screen readers (the figures are also in the tables beside it). */
  label: string;
}

const MIN_WIDTH = 200;

const bars = uPlot.paths.bars!;

function optionsFor(lines: ChartLine[], step: number, width: number, height: number): uPlot.Options {
  return {
    width,
    height,
    cursor: { drag: { x: false, y: false } },
    legend: { show: true },
    // Half a period of room at each end, so the first and last bars are whole.
    scales: { x: { time: true, range: (_u, min, max) => [min - step / 2, max + step / 2] }, y: { range: (_u, _min, max) => [0, Math.max(1, max)] } },
    axes: [{ stroke: '#475569', grid: { stroke: '#e2e8f0' } }, { stroke: '#475569', grid: { stroke: '#e2e8f0' }, size: 40, incrs: [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10_000] }],
    series: [{}, ...lines.map((l) => ({ label: l.label, stroke: l.color, fill: `${l.color}cc`, width: 1, points: { show: false }, paths: bars({ size: [l.barWidth, 48] }) }))],
  };
}

/**
 * A time-series chart drawn by uPlot (a small canvas charting library): bars per period, one series over
 * another (the narrowest on top), sized to
 * its container and redrawn in place when the data changes (the overview refreshes it live).
 */
export function TimeChart({ times, step, lines, height = 180, label }: Props) {
  const box = useRef<HTMLDivElement>(null);
  const chart = useRef<uPlot | undefined>(undefined);
  const shape = lines.map((l) => `${l.label}:${l.color}`).join('|');

  useEffect(() => {
    const el = box.current!;
    const plot = new uPlot(optionsFor(lines, step, Math.max(MIN_WIDTH, el.clientWidth), height), [times, ...lines.map((l) => l.values)], el);
    chart.current = plot;
    const resize = new ResizeObserver(() => plot.setSize({ width: Math.max(MIN_WIDTH, el.clientWidth), height }));
    resize.observe(el);
    return () => {
      resize.disconnect();
      plot.destroy();
      chart.current = undefined;
    };
    // Rebuilt only when the series change; new figures are set in place below.
  }, [shape, step, height]);

  useEffect(() => {
    chart.current?.setData([times, ...lines.map((l) => l.values)]);
  }, [times, lines]);

  return <div class="time-chart" ref={box} role="img" aria-label={label} />;
}
