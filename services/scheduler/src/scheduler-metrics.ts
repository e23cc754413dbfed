import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { EVENT_LOOP_MONITOR } from '@taskyard/logging';

/** The scheduler's Prometheus metrics. */
export class SchedulerMetrics {
  readonly registry = new Registry();
  readonly occurrences = new Counter({
    name: 'taskyard_schedule_occurrences_total',
    help: 'Schedule occurrences this replica won, by outcome (submitted, skipped) and reason (quota-exceeded, unknown-type, missed, ...)',
    labelNames: ['outcome', 'reason'] as const,
    registers: [this.registry],
  });
  readonly lost = new Counter({
    name: 'taskyard_schedule_occurrences_lost_total',
    help: 'Occurrences this replica tried to claim but another replica had (the unique insert decided)',
    registers: [this.registry],
  });
  readonly fireLateness = new Histogram({
    name: 'taskyard_schedule_fire_lateness_seconds',
    help: 'From an occurrence\'s fire time to its claim',
    buckets: [0.05, 0.1, 0.25, 0.5, 1, 2, 5, 30, 300],
    registers: [this.registry],
  });
  readonly schedules = new Gauge({ name: 'taskyard_schedules_active', help: 'Schedules not paused, as last loaded', registers: [this.registry] });
  readonly released = new Counter({ name: 'taskyard_scheduled_tasks_released_total', help: 'Tasks whose runAt came, sent to their queue', labelNames: ['type'] as const, registers: [this.registry] });
  readonly releaseLateness = new Histogram({
    name: 'taskyard_scheduled_release_lateness_seconds',
    help: 'From a task\'s runAt to its release into its queue (never negative: never early)',
    buckets: [0.05, 0.1, 0.25, 0.5, 1, 2, 5, 30, 300],
    registers: [this.registry],
  });
  readonly pruned = new Counter({ name: 'taskyard_schedule_occurrences_pruned_total', help: 'Occurrences deleted with their day, past the history retention', registers: [this.registry] });
  readonly forwarded = new Counter({ name: 'taskyard_scheduled_wait_hops_total', help: 'Scheduled tasks sent on to a further wait queue', registers: [this.registry] });

  constructor() {
    collectDefaultMetrics({ register: this.registry, prefix: 'taskyard_scheduler_', ...EVENT_LOOP_MONITOR });
  }

  async text(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }
}
