import { existsSync } from 'node:fs';
import { join } from 'node:path';
import fastifyStatic from '@fastify/static';
import fp from 'fastify-plugin';
import type { NotFoundFallback } from './errors';

/** True when `dir` holds a console build worth serving. */
export const consoleBuilt = (dir: string | undefined): dir is string => Boolean(dir && existsSync(join(dir, 'index.html')));

/** Serves the console's build at `/` (assets cached, index.html never, so a new build shows at once). */
export const consolePlugin = fp<{ dir: string }>(
  async (app, { dir }) => {
    await app.register(fastifyStatic, {
      root: dir,
      prefix: '/',
      index: 'index.html',
      setHeaders: (res, path) => res.setHeader('cache-control', path.endsWith('index.html') ? 'no-cache' : 'public, max-age=3600'),
    });
  },
  { name: 'taskyard-console' },
);

const API_PREFIXES = ['/v1/', '/docs', '/healthz', '/readyz', '/metrics'];

/** A browser navigating to a console route (history API) gets index.html; API clients get the JSON 404. */
export const consoleFallback: NotFoundFallback = async (request, reply) => {
  if (request.method !== 'GET' || API_PREFIXES.some((p) => request.url.startsWith(p))) return false;
  if (!(request.headers.accept ?? '').includes('text/html')) return false;
  await reply.type('text/html; charset=utf-8').header('cache-control', 'no-cache').sendFile('index.html');
  return true;
};
