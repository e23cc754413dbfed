import http, { type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A small local API like the seed's mock API: random-looking records, a listing of page links, and
 * answers that misbehave on purpose. `failOnce` pages answer 503 the first time they are asked.
 */
export interface MockApi {
  url: string;
  port: number;
  /** How many times each path was requested. */
  hits: Map<string, number>;
  close(): Promise<void>;
}

export const recordsOfPage = (n: number): { id: number; page: number; value: string }[] =>
  Array.from({ length: 3 }, (_, i) => ({ id: n * 10 + i, page: n, value: `v${(n * 7919 + i * 104729) % 100000}` }));

export async function startMockApi(opts: { pages: number; failOnce?: number[] }): Promise<MockApi> {
  const hits = new Map<string, number>();
  const failOnce = new Set(opts.failOnce ?? []);
  const server: Server = http.createServer((req, res) => {
    const path = req.url ?? '/';
    hits.set(path, (hits.get(path) ?? 0) + 1);
    const json = (status: number, body: unknown): void => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    const page = /^\/page\/(\d+)$/.exec(path);
    if (path === '/data') return json(200, recordsOfPage(0));
    if (path === '/pages') return json(200, { pages: Array.from({ length: opts.pages }, (_, i) => `/page/${i + 1}`) });
    if (page) {
      const n = Number(page[1]);
      if (failOnce.has(n) && hits.get(path) === 1) return json(503, { error: 'try again' });
      return json(200, { data: recordsOfPage(n) });
    }
    if (path === '/redirect') {
      res.writeHead(302, { location: 'http://169.254.169.254/latest/meta-data/' });
      return res.end();
    }
    if (path === '/busy') return json(503, { error: 'busy' });
    return json(404, { error: 'not found' });
  });
  server.keepAliveTimeout = 1000;
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    hits,
    close: () => new Promise((r) => server.close(() => r())),
  };
}
