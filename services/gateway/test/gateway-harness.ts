import { jobTypes, type JobTypeDefinition } from '@taskyard/contracts';
import { createLogger } from '@taskyard/logging';
import { BrokerConnection, ConfirmPublisher } from '@taskyard/messaging';
import { testServers, type TestServers } from '@taskyard/testing';
import type { ApiKey } from '../src/api-keys';
import type { GatewayConfig } from '../src/config';
import { startGateway, type RunningGateway } from '../src/gateway';

/** A key per principal: `userKey('alice')`; admins are named `admin*`. */
export const keyOf = (principal: string): string => `test-key-${principal}-0123456789`;

const PRINCIPALS = ['alice', 'bob', 'carol', 'dave', 'erin', 'frank', 'grace', 'heidi', 'ivan', 'judy', 'admin'];
export const KEYS: ApiKey[] = PRINCIPALS.map((p) => ({ key: keyOf(p), principal: p, role: p.startsWith('admin') ? 'admin' : 'user' }));

export interface RequestOptions {
  /** The principal whose key to send. */
  as?: string;
  json?: unknown;
  body?: BodyInit;
  headers?: Record<string, string>;
}

export interface Harness {
  servers: TestServers;
  gateway: RunningGateway;
  api<T = LooseBody>(method: string, path: string, opts?: RequestOptions): Promise<ApiAnswer<T>>;
  close(): Promise<void>;
}

/** What most answers are read as; a test names a precise shape with `api<T>()` where it needs one. */
export interface LooseBody {
  error?: { code: string; message: string; details?: unknown };
  [field: string]: unknown;
}

export interface ApiAnswer<T = LooseBody> {
  status: number;
  headers: Headers;
  body: T;
}

/** The job types of the tests: diagnostic on; options to shrink limits. */
export function testJobTypes(adjust?: (defs: Map<string, JobTypeDefinition>) => void): Map<string, JobTypeDefinition> {
  const defs = jobTypes({ enableDiagnostic: true });
  adjust?.(defs);
  return defs;
}

/** A gateway started in-process on port 0 against this file's own database, vhost and bucket. */
export async function startHarness(label: string, config: Partial<GatewayConfig> = {}): Promise<Harness> {
  const servers = await testServers(label);
  const gateway = await startGateway({
    port: 0,
    host: '127.0.0.1',
    servers,
    jobTypes: testJobTypes(),
    keys: KEYS,
    logger: createLogger('gateway-test'),
    outboxIntervalMs: 250,
    outboxIdleMaxMs: 2000,
    ...config,
  });
  return {
    servers,
    gateway,
    async api<T>(method: string, path: string, opts: RequestOptions = {}): Promise<ApiAnswer<T>> {
      const headers: Record<string, string> = { ...opts.headers };
      if (opts.as) headers.authorization = `Bearer ${keyOf(opts.as)}`;
      let body = opts.body;
      if (opts.json !== undefined) {
        headers['content-type'] = 'application/json';
        body = JSON.stringify(opts.json);
      }
      const res = await fetch(gateway.url + path, { method, headers, body });
      const text = await res.text();
      let parsed: unknown = text;
      try {
        parsed = JSON.parse(text);
      } catch {
        // not JSON: keep the text
      }
      return { status: res.status, headers: res.headers, body: parsed as T };
    },
    async close() {
      await gateway.close();
      await servers.cleanup();
    },
  };
}

/** A confirmed publisher of its own on the harness's vhost: what a worker or the status service would send. */
export async function startTestPublisher(servers: TestServers, name: string): Promise<{ publisher: ConfirmPublisher; close(): Promise<void> }> {
  const logger = createLogger(name);
  const broker = new BrokerConnection(servers.rabbitmqUrl, logger, `${name}-publisher`);
  const publisher = new ConfirmPublisher(broker, logger);
  await publisher.start();
  await broker.start();
  return {
    publisher,
    async close() {
      await publisher.close();
      await broker.close();
    },
  };
}
