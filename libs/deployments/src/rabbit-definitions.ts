import type { Channel } from 'amqplib';
import { jobTypes } from '@taskyard/contracts';
import { DEFAULT_STATUS_PARTITIONS, declareStatusPartitions, declareTopology } from '@taskyard/messaging';

/**
 * RabbitMQ definitions (the management plugin's JSON, `load_definitions`) that a broker loads at start, so
 * the quorum queues, exchanges and bindings and the policies exist before any service connects. They are
 * what the services declare themselves (libs/messaging), exported from a real broker, so a service's own
 * declaration always matches them (a queue declared with other arguments would be refused).
 */
export interface RabbitDefinitions {
  policies: Policy[];
  queues: Array<{ name: string; vhost: string; durable: boolean; auto_delete: boolean; arguments: Record<string, unknown> }>;
  exchanges: Array<{ name: string; vhost: string; type: string; durable: boolean; auto_delete: boolean; internal: boolean; arguments: Record<string, unknown> }>;
  bindings: Array<{ source: string; vhost: string; destination: string; destination_type: string; routing_key: string; arguments: Record<string, unknown> }>;
}

export interface Policy {
  name: string;
  vhost: string;
  pattern: string;
  'apply-to': 'queues' | 'exchanges' | 'all';
  priority: number;
  definition: Record<string, unknown>;
}

/** The vhost the definitions are written for (the services' RABBITMQ_URL names it). */
export const DEFINITIONS_VHOST = '/';

/**
 * Quorum queue leaders spread over the cluster's nodes rather than piling up on the node a service
 * happened to declare them from, so no one node carries every queue's writes.
 */
export const POLICIES: Policy[] = [
  { name: 'taskyard-leaders-balanced', vhost: DEFINITIONS_VHOST, pattern: '^(tasks|task-events|taskyard)\\.', 'apply-to': 'queues', priority: 0, definition: { 'queue-leader-locator': 'balanced' } },
];

/** What every production deployment declares at start: the job types' topology and the status partitions. */
export async function declareDeploymentTopology(ch: Channel): Promise<void> {
  await declareTopology(ch, jobTypes().values());
  await declareStatusPartitions(ch, DEFAULT_STATUS_PARTITIONS);
}

type Exported = Omit<RabbitDefinitions, 'policies'>;

/** The management API's export of one vhost, rewritten for `DEFINITIONS_VHOST`, sorted so it diffs well. */
export function definitionsFromExport(exported: Exported): RabbitDefinitions {
  const byName = <T extends { name: string }>(a: T, b: T): number => a.name.localeCompare(b.name);
  const key = (b: Exported['bindings'][number]): string => `${b.source}\u0000${b.destination}\u0000${b.routing_key}`;
  return {
    policies: POLICIES,
    exchanges: exported.exchanges.map((e) => ({ ...e, vhost: DEFINITIONS_VHOST })).sort(byName),
    queues: exported.queues.map((q) => ({ name: q.name, vhost: DEFINITIONS_VHOST, durable: q.durable, auto_delete: q.auto_delete, arguments: q.arguments })).sort(byName),
    bindings: exported.bindings.map((b) => ({ ...b, vhost: DEFINITIONS_VHOST })).sort((a, b) => key(a).localeCompare(key(b))),
  };
}
