import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export class StatusMetrics {
  readonly registry = new Registry();
  readonly events = new Counter({ name: 'taskyard_status_events_total', help: 'Task events folded, by kind and whether they changed the task', labelNames: ['kind', 'applied'], registers: [this.registry] });
  readonly writes = new Counter({ name: 'taskyard_status_task_writes_total', help: 'Task documents written by the status service', registers: [this.registry] });
  readonly finished = new Counter({ name: 'taskyard_tasks_finished_total', help: 'Tasks reaching a terminal status, by type and status', labelNames: ['type', 'status'], registers: [this.registry] });
  readonly batchSize = new Histogram({ name: 'taskyard_status_batch_events', help: 'Events per folded batch', buckets: [1, 2, 5, 10, 20, 50, 100, 200], registers: [this.registry] });

  constructor() {
    collectDefaultMetrics({ register: this.registry });
  }

  async text(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }
}
