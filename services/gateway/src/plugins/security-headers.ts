import type { IncomingMessage, ServerResponse } from 'node:http';
import fp from 'fastify-plugin';
import helmet, { type HelmetOptions } from 'helmet';

/** What Helmet's middleware sets on a response, computed once (the policy has no nonces: it never varies). */
export function helmetHeaders(options: HelmetOptions): Record<string, string> {
  const headers: Record<string, string> = {};
  const res = {
    setHeader: (name: string, value: unknown): void => void (headers[name.toLowerCase()] = String(value)),
    removeHeader: (name: string): void => void delete headers[name.toLowerCase()],
  };
  helmet(options)({} as IncomingMessage, res as unknown as ServerResponse, () => undefined);
  return headers;
}

/**
 * Security headers on every response (Helmet's): no sniffing of content types, no framing (so no
 * click-jacking of the console), and a Content-Security-Policy that lets the console load only its own
 * scripts and styles and talk only to this gateway and to the object store its presigned download URLs
 * point at. The API docs (/docs) set their own policy for Swagger UI's files. The headers are computed
 * once at start: @fastify/helmet built Helmet's middleware again for every request (about 6% of the
 * gateway's CPU per submit).
 */
export const securityHeadersPlugin = fp<{ objectStoreOrigin?: string }>(
  async (app, { objectStoreOrigin }) => {
    const headers = helmetHeaders({
      frameguard: { action: 'deny' },
      contentSecurityPolicy: {
        useDefaults: false,
        directives: {
          defaultSrc: ["'self'"],
          scriptSrc: ["'self'"],
          styleSrc: ["'self'"],
          imgSrc: ["'self'", 'data:'],
          connectSrc: ["'self'", ...(objectStoreOrigin ? [objectStoreOrigin] : [])],
          fontSrc: ["'self'"],
          objectSrc: ["'none'"],
          baseUri: ["'self'"],
          formAction: ["'self'"],
          frameAncestors: ["'none'"],
        },
      },
      // Downloads are cross-origin (presigned URLs); the console opens none in a popup it must script.
      crossOriginEmbedderPolicy: false,
    });
    // On the reply (written with its other headers in one go; a raw setHeader per header cost twice as
    // much); a route that hijacks its reply writes them itself (reply.getHeaders()).
    app.addHook('onRequest', (_request, reply, done) => {
      reply.headers(headers);
      done();
    });
  },
  { name: 'taskyard-security-headers' },
);
