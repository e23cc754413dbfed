import amqp from 'amqplib';
import type { TestServers } from '@taskyard/testing';
import { declareDeploymentTopology, definitionsFromExport, type RabbitDefinitions } from './rabbit-definitions';

/** GET on the management API as the servers' administrator. */
export async function managementGet<T>(servers: TestServers, path: string): Promise<T> {
  const base = new URL(servers.adminManagementUrl!);
  const auth = Buffer.from(`${decodeURIComponent(base.username)}:${decodeURIComponent(base.password)}`).toString('base64');
  const res = await fetch(`${base.protocol}//${base.host}${path}`, { headers: { authorization: `Basic ${auth}` } });
  if (!res.ok) throw new Error(`RabbitMQ management GET ${path}: ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}

/** Declares the deployment's topology through the broker at `url` (its vhost), as the services do at start. */
export async function declareTopologyAt(url: string): Promise<void> {
  const conn = await amqp.connect(url);
  try {
    const ch = await conn.createChannel();
    await declareDeploymentTopology(ch);
    await ch.close();
  } finally {
    await conn.close();
  }
}

/** Declares the deployment's topology on the servers' own vhost, as the services do, and exports it. */
export async function exportDefinitions(servers: TestServers): Promise<RabbitDefinitions> {
  await declareTopologyAt(servers.rabbitmqUrl);
  return definitionsFromExport(await managementGet(servers, `/api/definitions/${encodeURIComponent(servers.namespace)}`));
}
