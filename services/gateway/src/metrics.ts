import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { EVENT_LOOP_MONITOR } from '@taskyard/logging';

/** The gateway's Prometheus metrics, on a registry of its own (several gateways may share a process in tests). */
export class GatewayMetrics {
  readonly registry = new Registry();
  readonly httpDuration = new Histogram({
    name: 'taskyard_gateway_http_request_duration_seconds',
    help: 'HTTP request duration by route and status',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [this.registry],
  });
  readonly submitted = new Counter({
    name: 'taskyard_tasks_submitted_total',
    help: 'Tasks accepted, by job type',
    labelNames: ['type'] as const,
    registers: [this.registry],
  });
  readonly rejected = new Counter({
    name: 'taskyard_tasks_rejected_total',
    help: 'Submissions refused, by job type and error code',
    labelNames: ['type', 'code'] as const,
    registers: [this.registry],
  });
  readonly outboxed = new Counter({
    name: 'taskyard_outbox_stored_total',
    help: 'Tasks the broker did not confirm at submit, left to the outbox relay',
    labelNames: ['type'] as const,
    registers: [this.registry],
  });
  readonly relayed = new Counter({
    name: 'taskyard_outbox_relayed_total',
    help: 'Outbox entries published (or found already running) and removed by the relay',
    registers: [this.registry],
  });
  /** Where a submit's time goes (the tail under many connections): one observation per stage a submit passed. */
  readonly submitStage = new Histogram({
    name: 'taskyard_gateway_submit_stage_seconds',
    help: 'Time a submit spent in each stage: slot, marks, outbox (its entry stored), insert (the task stored), publish (the broker confirmed; after the 202, which does not wait for it)',
    labelNames: ['stage'] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [this.registry],
  });
  readonly sseClients = new Gauge({
    name: 'taskyard_sse_clients',
    help: 'Open server-sent event streams',
    registers: [this.registry],
  });

  constructor() {
    collectDefaultMetrics({ register: this.registry, prefix: 'taskyard_gateway_', ...EVENT_LOOP_MONITOR });
  }
}
