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

/** Declares the deployment's topology on the servers' own vhost, as the services do, and exports it. */
export async function exportDefinitions(servers: TestServers): Promise<RabbitDefinitions> {
  const conn = await amqp.connect(servers.rabbitmqUrl);
  try {
    const ch = await conn.createChannel();
    await declareDeploymentTopology(ch);
    await ch.close();
  } finally {
    await conn.close();
  }
  return definitionsFromExport(await managementGet(servers, `/api/definitions/${encodeURIComponent(servers.namespace)}`));
}
