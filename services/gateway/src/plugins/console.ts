import { existsSync } from 'node:fs';
import { join, sep } from 'node:path';
import fastifyStatic from '@fastify/static';
import fp from 'fastify-plugin';
import type { NotFoundFallback } from './errors';

/** True when `dir` holds a console build worth serving. */
export const consoleBuilt = (dir: string | undefined): dir is string => Boolean(dir && existsSync(join(dir, 'index.html')));

/** Vite names every file under `assets/` after a hash of its content: a changed file gets a new name. */
const HASHED_DIR = 'assets';
export const IMMUTABLE = 'public, max-age=31536000, immutable';
export const REVALIDATE = 'no-cache';

/** A hashed asset never changes, so it is cached for a year; anything else (index.html) is checked each time. */
export const cacheControlFor = (root: string, path: string): string => (path.startsWith(join(root, HASHED_DIR) + sep) ? IMMUTABLE : REVALIDATE);

/**
 * Serves the console's build at `/`: the .br or .gz the build wrote beside a file when the browser takes it
 * (compressed once at build time, not per request), hashed assets cached for a year, index.html never, so a
 * new build shows at once.
 */
export const consolePlugin = fp<{ dir: string }>(
  async (app, { dir }) => {
    await app.register(fastifyStatic, {
      root: dir,
      prefix: '/',
      // A list: with preCompressed, @fastify/static finds `/`'s index only from a list (a string 404s).
      index: ['index.html'],
      preCompressed: true,
      // Our own header below; send's default (max-age=0) would replace it.
      cacheControl: false,
      setHeaders: (res, path) => {
        res.setHeader('cache-control', cacheControlFor(dir, path));
        res.setHeader('vary', 'accept-encoding');
      },
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
