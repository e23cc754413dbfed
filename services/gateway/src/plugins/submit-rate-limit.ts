import type { FastifyRequest } from 'fastify';
import type { RateLimitOptions } from '@fastify/rate-limit';
import { RateLimited } from '../errors';

/** The window of a key's `submitsPerMinute`. */
const WINDOW_MS = 60_000;

/**
 * The per-key cap on submissions, as route config for @fastify/rate-limit (registered in the API scope):
 * counted per key and gateway in a fixed one-minute window; over it, a 429 with `Retry-After`. Runs after
 * authentication (preHandler), so it knows the key; a key without `submitsPerMinute` is not limited.
 */
export const submitRateLimit: RateLimitOptions = {
  hook: 'preHandler',
  timeWindow: WINDOW_MS,
  keyGenerator: (request: FastifyRequest) => request.principal.keyId ?? `principal:${request.principal.principal}`,
  allowList: (request: FastifyRequest) => !request.principal.submitsPerMinute,
  max: (request: FastifyRequest) => request.principal.submitsPerMinute ?? 0,
  errorResponseBuilder: (_request, context) => new RateLimited(context.max, Math.max(1, Math.ceil(context.ttl / 1000))),
};
