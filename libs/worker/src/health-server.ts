import { createServer, type Server } from 'node:http';

export interface HealthServerOptions {
  port: number;
  host?: string;
  /** Readiness: resolves true when every dependency answers. */
  ready?: () => Promise<boolean>;
  /** Prometheus text for /metrics. */
  metrics?: () => Promise<{ contentType: string; body: string }>;
}

/** /healthz (alive), /readyz (dependencies answer) and /metrics for a service that has no HTTP API of its own. */
export function startHealthServer(opts: HealthServerOptions): Promise<Server> {
  const server = createServer((req, res) => {
    void (async () => {
      if (req.url === '/healthz') {
        res.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"ok"}');
      } else if (req.url === '/readyz') {
        const ok = opts.ready ? await opts.ready().catch(() => false) : true;
        res.writeHead(ok ? 200 : 503, { 'content-type': 'application/json' }).end(JSON.stringify({ status: ok ? 'ready' : 'not-ready' }));
      } else if (req.url === '/metrics' && opts.metrics) {
        const m = await opts.metrics();
        res.writeHead(200, { 'content-type': m.contentType }).end(m.body);
      } else {
        res.writeHead(404, { 'content-type': 'application/json' }).end('{"error":{"code":"not-found","message":"no such path"}}');
      }
    })();
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.host ?? '127.0.0.1', () => resolve(server));
  });
}
