import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { EVENT_LOOP_MONITOR } from '@taskyard/logging';

/** Prometheus metrics of one worker process. */
export class WorkerMetrics {
  readonly registry = new Registry();
  readonly jobs = new Counter({ name: 'taskyard_jobs_total', help: 'Jobs run, by type and outcome', labelNames: ['type', 'outcome'], registers: [this.registry] });
  readonly retries = new Counter({ name: 'taskyard_job_retries_total', help: 'Attempts that failed and were scheduled again', labelNames: ['type'], registers: [this.registry] });
  readonly deadLetters = new Counter({ name: 'taskyard_dead_letters_total', help: 'Tasks sent to their dead-letter queue', labelNames: ['type'], registers: [this.registry] });
  readonly paused = new Gauge({ name: 'taskyard_job_type_paused', help: '1 while the job type is paused (this worker takes no new tasks)', labelNames: ['type'], registers: [this.registry] });
  readonly duration = new Histogram({
    name: 'taskyard_job_duration_seconds',
    help: 'Job run time, by type and outcome',
    labelNames: ['type', 'outcome'],
    buckets: [0.01, 0.05, 0.1, 0.5, 1, 5, 15, 60, 300, 900],
    registers: [this.registry],
  });

  constructor() {
    collectDefaultMetrics({ register: this.registry, ...EVENT_LOOP_MONITOR });
  }

  async text(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }
}
