import type { Model } from 'mongoose';
import { Gauge } from 'prom-client';
import type { OutboxRecord } from '@taskyard/tasks';
import type { GatewayMetrics } from './metrics';
import { queueFigures, type QueueFigures } from './queue-figures';
import type { RabbitManagement } from './rabbit-management';

/** A scrape reads both queue gauges within this long: one management API call serves both. */
const SCRAPE_REUSE_MS = 1000;

export interface BacklogSources {
  types: () => string[];
  management?: RabbitManagement;
  Outbox: Model<OutboxRecord>;
  timeoutMs: number;
}

/**
 * Gauges read at scrape time: each job type's queue (waiting, being worked on, dead letters, consumers)
 * from the broker's management API, and the outbox's backlog (tasks stored but not yet confirmed by the
 * broker; a small collection, counted from its metadata, never scanned).
 */
export function registerBacklogGauges(metrics: GatewayMetrics, src: BacklogSources): void {
  const registers = [metrics.registry];
  // One management API call per scrape, shared by the two gauges (each collects on its own).
  let last: { at: number; figures: Promise<QueueFigures[] | undefined> } | undefined;
  const figures = (): Promise<QueueFigures[] | undefined> => {
    if (!last || Date.now() - last.at > SCRAPE_REUSE_MS) {
      const management = src.management;
      last = { at: Date.now(), figures: management ? management.queues().then((stats) => queueFigures(src.types(), stats), () => undefined) : Promise.resolve(undefined) };
    }
    return last.figures;
  };
  new Gauge({
    name: 'taskyard_queue_consumers',
    help: "Consumers of each job type's queue",
    labelNames: ['type'] as const,
    registers,
    async collect() {
      for (const q of (await figures()) ?? []) this.set({ type: q.type }, q.consumers);
    },
  });
  new Gauge({
    name: 'taskyard_queue_messages',
    help: "Messages of each job type's queues: ready (waiting for a worker, every priority), unacked (being worked on), dead (dead letters)",
    labelNames: ['type', 'state'] as const,
    registers,
    async collect() {
      for (const q of (await figures()) ?? []) {
        this.set({ type: q.type, state: 'ready' }, q.ready);
        this.set({ type: q.type, state: 'unacked' }, q.unacked);
        this.set({ type: q.type, state: 'dead' }, q.dead);
      }
    },
  });
  new Gauge({
    name: 'taskyard_outbox_backlog',
    help: 'Tasks stored but not yet confirmed by the broker, waiting for the outbox relay',
    registers,
    async collect() {
      const n = await src.Outbox.estimatedDocumentCount({ maxTimeMS: src.timeoutMs }).catch(() => undefined);
      if (n !== undefined) this.set(n);
    },
  });
}
