import helmet from '@fastify/helmet';
import fp from 'fastify-plugin';

/**
 * Security headers on every response (@fastify/helmet): no sniffing of content types, no framing (so no
 * click-jacking of the console), and a Content-Security-Policy that lets the console load only its own
 * scripts and styles and talk only to this gateway and to the object store its presigned download URLs
 * point at. The API docs (/docs) set their own policy for Swagger UI's files.
 */
export const securityHeadersPlugin = fp<{ objectStoreOrigin?: string }>(
  async (app, { objectStoreOrigin }) => {
    await app.register(helmet, {
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
  },
  { name: 'taskyard-security-headers' },
);
