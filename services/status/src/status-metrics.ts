import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { EVENT_LOOP_MONITOR } from '@taskyard/logging';
import { DURATION_BOUNDS_MS, type FoldObservation } from '@taskyard/tasks';

/** The duration buckets of the overview's counters, in seconds: one set of bounds for both. */
const DURATION_BUCKETS_S = DURATION_BOUNDS_MS.map((ms) => ms / 1000);

/** Tasks by type and status, as the status service's totals hold them (read at scrape, see status-service). */
export type StatusTotals = () => Promise<Map<string, Map<string, number>>>;

/**
 * The status service's Prometheus metrics. Label values are bounded: `type` is a configured job type,
 * `status`, `outcome`, `kind` and `sweep` come from fixed sets.
 */
export class StatusMetrics {
  readonly registry = new Registry();
  readonly events = new Counter({ name: 'taskyard_status_events_total', help: 'Task events folded, by kind and whether they changed the task', labelNames: ['kind', 'applied'], registers: [this.registry] });
  readonly writes = new Counter({ name: 'taskyard_status_task_writes_total', help: 'Task documents written by the status service', registers: [this.registry] });
  readonly reads = new Counter({ name: 'taskyard_status_task_reads_total', help: 'Task documents read by the status service to fold their events', registers: [this.registry] });
  readonly presumedMisses = new Counter({
    name: 'taskyard_status_presumed_misses_total',
    help: "Folds of a fresh first attempt's task presumed as inserted whose stored task was not (read and folded again)",
    registers: [this.registry],
  });
  readonly writtenMisses = new Counter({
    name: 'taskyard_status_written_misses_total',
    help: 'Folds of a task remembered as this process last wrote it whose stored task no longer held that write (read and folded again)',
    registers: [this.registry],
  });
  readonly finished = new Counter({ name: 'taskyard_tasks_finished_total', help: 'Tasks reaching a terminal status, by type and status', labelNames: ['type', 'status'], registers: [this.registry] });
  readonly started = new Counter({ name: 'taskyard_tasks_started_total', help: 'Attempts started, by type (a retry starts again)', labelNames: ['type'], registers: [this.registry] });
  readonly retries = new Counter({ name: 'taskyard_task_retries_total', help: 'Failed attempts that were retried, by type', labelNames: ['type'], registers: [this.registry] });
  readonly queueWait = new Histogram({
    name: 'taskyard_task_queue_wait_seconds',
    help: 'Time an attempt waited in its queue before a worker started it, by type',
    labelNames: ['type'],
    buckets: DURATION_BUCKETS_S,
    registers: [this.registry],
  });
  readonly runTime = new Histogram({
    name: 'taskyard_task_run_seconds',
    help: 'Run time of an attempt, by type and how it ended',
    labelNames: ['type', 'outcome'],
    buckets: DURATION_BUCKETS_S,
    registers: [this.registry],
  });
  readonly eventLag = new Histogram({
    name: 'taskyard_status_event_lag_seconds',
    help: 'Time from an event being published to it being folded into its task',
    buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300],
    registers: [this.registry],
  });
  readonly listPrunes = new Counter({
    name: 'taskyard_list_prunes_total',
    help: "Open-status list marks looked at after a task left them: kept (another task holds the second), pruned, restored (a task came in meanwhile)",
    labelNames: ['outcome'],
    registers: [this.registry],
  });
  readonly sweeperRecoveries = new Counter({
    name: 'taskyard_sweeper_recoveries_total',
    help: 'What the sweepers and timers put right: outbox entries republished, stale slots freed, runs whose heartbeat stopped',
    labelNames: ['sweep'],
    registers: [this.registry],
  });
  readonly callbackDeliveries = new Counter({
    name: 'taskyard_callback_deliveries_total',
    help: 'Callback attempts, by outcome (delivered, retry, failed: given up; duplicate: queued again, not sent again)',
    labelNames: ['outcome'],
    registers: [this.registry],
  });
  readonly batchSize = new Histogram({ name: 'taskyard_status_batch_events', help: 'Events per folded batch', buckets: [1, 2, 5, 10, 20, 50, 100, 200], registers: [this.registry] });

  constructor(totals?: StatusTotals) {
    collectDefaultMetrics({ register: this.registry, ...EVENT_LOOP_MONITOR });
    if (totals) {
      new Gauge({
        name: 'taskyard_tasks',
        help: 'Tasks by type and status the status service moved them to (running, retrying and terminal; waiting tasks are the queues\' depth)',
        labelNames: ['type', 'status'],
        registers: [this.registry],
        async collect() {
          this.reset();
          for (const [type, byStatus] of await totals()) for (const [status, n] of byStatus) this.set({ type, status }, n);
        },
      });
    }
  }

  /** The counters and histograms of one written fold. */
  observe(type: string, obs: FoldObservation): void {
    if (obs.counts.started) this.started.inc({ type }, obs.counts.started);
    if (obs.retries) this.retries.inc({ type }, obs.retries);
    for (const ms of obs.waitsMs) this.queueWait.observe({ type }, ms / 1000);
    for (const r of obs.runs) this.runTime.observe({ type, outcome: r.outcome }, r.ms / 1000);
  }

  /** The Prometheus text of every metric, or of the one named (empty when there is none of that name). */
  async text(name?: string): Promise<{ contentType: string; body: string }> {
    if (name !== undefined) return { contentType: this.registry.contentType, body: this.registry.getSingleMetric(name) ? await this.registry.getSingleMetricAsString(name) : '' };
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }
}
