import fp from 'fastify-plugin';
import type { FastifyInstance, FastifyRequest, RouteOptions } from 'fastify';
import { addApiErrors } from '../api-errors';
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

/** In /docs: the key (or `?access_token=` where allowed) and the 401 of every authenticated route. */
function documentAuth(route: RouteOptions): void {
  if (!route.schema || route.schema.hide) return;
  const queryToken = route.config?.allowQueryToken ? [{ accessToken: [] }] : [];
  route.schema.security ??= [{ apiKey: [] }, ...queryToken];
  addApiErrors(route, 401);
}

/** In /docs: the admin key's scheme (the same header, a key of the admin role) and the 403. */
function documentAdmin(route: RouteOptions): void {
  if (!route.schema || route.schema.hide) return;
  route.schema.security = [{ adminKey: [] }];
  const note = 'Needs an admin key (403 for a user key).';
  // Idempotent: a GET's implicit HEAD route shares its schema object and runs this hook too.
  if (!route.schema.description?.startsWith(note)) route.schema.description = `${note} ${route.schema.description ?? ''}`.trim();
  addApiErrors(route, 403);
}

/** API-key authentication for every route of the scope it is registered in. */
export const authPlugin = fp<{ keys: KeyLookup }>(
  async (app, { keys }) => {
    app.addHook('onRoute', documentAuth);
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

/** Admin-only scopes act on the whole deployment, so an admin key limited to some tags is not enough. */
async function requireAdmin(request: FastifyRequest): Promise<void> {
  if (request.principal.role !== 'admin') throw new Forbidden('this needs an admin key');
  if (request.principal.tags) throw new Forbidden('this needs an admin key that is not limited to some tags');
}

/**
 * Makes every route registered after it in this (encapsulated, authenticated) scope admin-only, and says
 * so in /docs. Call it first in an admin routes plugin: `adminOnly(app)`.
 */
export function adminOnly(app: FastifyInstance): void {
  app.addHook('onRequest', requireAdmin);
  app.addHook('onRoute', documentAdmin);
}
