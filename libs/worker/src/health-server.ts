import { createServer, type Server } from 'node:http';
import type { Connection } from 'mongoose';

export interface HealthServerOptions {
  /** No server when undefined (a service run in a test without one). */
  port?: number;
  host?: string;
  /** Readiness: resolves true when every dependency answers. */
  ready?: () => Promise<boolean>;
  /** Prometheus text for /metrics; with a `name` (`/metrics?name=<metric>`), that metric alone if the service can (a poller's cheap read). */
  metrics?: (name?: string) => Promise<{ contentType: string; body: string }>;
}

/** A running health server (or none); `close` is safe either way. */
export interface HealthEndpoint {
  readonly server?: Server;
  close(): Promise<void>;
}

/** What a service's readiness waits on: its broker connection and a database that answers (and S3, if it uses one). */
export interface ServiceConnections {
  broker: { connected: boolean };
  db: Connection;
  store?: { ping(): Promise<boolean> };
}

export function connectionsReady(c: ServiceConnections): () => Promise<boolean> {
  return async () => c.broker.connected && (await c.db.db!.admin().ping()).ok === 1 && (c.store ? await c.store.ping() : true);
}

/** /healthz (alive), /readyz (dependencies answer) and /metrics for a service that has no HTTP API of its own. */
export async function startHealthServer(opts: HealthServerOptions): Promise<HealthEndpoint> {
  if (opts.port === undefined) return { close: () => Promise.resolve() };
  const server = createServer((req, res) => {
    void (async () => {
      const url = new URL(req.url ?? '/', 'http://health');
      if (req.url === '/healthz') {
        res.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"ok"}');
      } else if (req.url === '/readyz') {
        const ok = opts.ready ? await opts.ready().catch(() => false) : true;
        res.writeHead(ok ? 200 : 503, { 'content-type': 'application/json' }).end(JSON.stringify({ status: ok ? 'ready' : 'not-ready' }));
      } else if (url.pathname === '/metrics' && opts.metrics) {
        const m = await opts.metrics(url.searchParams.get('name') ?? undefined);
        res.writeHead(200, { 'content-type': m.contentType }).end(m.body);
      } else {
        res.writeHead(404, { 'content-type': 'application/json' }).end('{"error":{"code":"not-found","message":"no such path"}}');
      }
    })();
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.host ?? '127.0.0.1', () => resolve());
  });
  return { server, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}
