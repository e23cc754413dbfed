import fp from 'fastify-plugin';
import type { FastifyRequest } from 'fastify';
import type { KeyLookup, Principal } from '../api-keys';
import { Forbidden, Unauthorized } from '../errors';

declare module 'fastify' {
  interface FastifyRequest {
    /** Set by the auth hook on every route of the scope it guards. */
    principal: Principal;
  }
  interface FastifyContextConfig {
    /** EventSource cannot send headers: this route also takes the key as `?access_token=`. */
    allowQueryToken?: boolean;
  }
}

function bearerToken(request: FastifyRequest): string | undefined {
  const header = request.headers.authorization;
  if (header) {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
    if (!match) throw new Unauthorized('the Authorization header must be "Bearer <api key>"');
    return match[1];
  }
  if (request.routeOptions.config.allowQueryToken) {
    const token = (request.query as { access_token?: unknown } | undefined)?.access_token;
    if (typeof token === 'string' && token) return token;
  }
  return undefined;
}

/** API-key authentication for every route of the scope it is registered in. */
export const authPlugin = fp<{ keys: KeyLookup }>(
  async (app, { keys }) => {
    app.decorateRequest('principal', null as unknown as Principal);
    app.addHook('onRequest', async (request) => {
      const token = bearerToken(request);
      if (!token) throw new Unauthorized('an API key is required: send "Authorization: Bearer <api key>"');
      const principal = await keys.lookup(token);
      if (!principal) throw new Unauthorized('the API key is not valid');
      request.principal = principal;
    });
  },
  { name: 'taskyard-auth' },
);

/**
 * An onRequest hook for admin-only scopes (runs after authentication). They act on the whole deployment,
 * so an admin key limited to some tags is not enough.
 */
export async function requireAdmin(request: FastifyRequest): Promise<void> {
  if (request.principal.role !== 'admin') throw new Forbidden('this needs an admin key');
  if (request.principal.tags) throw new Forbidden('this needs an admin key that is not limited to some tags');
}
