import ValidatorSelector from '@fastify/ajv-compiler';
import SerializerSelector from '@fastify/fast-json-stringify-compiler';
import type { FastifyServerOptions } from 'fastify';

type CompilersFactory = NonNullable<NonNullable<FastifyServerOptions['schemaController']>['compilersFactory']>;
type Build = (externalSchemas: unknown, options: unknown) => (route: { schema?: unknown }) => unknown;

/**
 * Fastify's own compilers, each compiling a schema once. Fastify compiles a serializer per route and
 * status and a validator per route part: 477 serializers and 65 validators at the last count, though only
 * 56 and 28 differ (most routes answer the same error bodies), which was most of a gateway's start (about
 * 4 of its 6.7 s on this loaded machine). A compiled function depends only on the schema and the shared
 * schemas, so one is shared by every route that declares the same; all are still built at start, so a bad
 * schema fails the start, never a response.
 */
export function sharedSchemaCompilers(): CompilersFactory {
  return {
    buildSerializer: once(SerializerSelector() as Build) as CompilersFactory['buildSerializer'],
    buildValidator: once(ValidatorSelector() as Build) as CompilersFactory['buildValidator'],
  };
}

function once(build: Build): Build {
  const compiled = new Map<string, unknown>();
  return (externalSchemas, options) => {
    const compile = build(externalSchemas, options);
    const shared = JSON.stringify([externalSchemas, options]);
    return (route) => {
      const key = `${shared}\n${JSON.stringify(route.schema)}`;
      if (!compiled.has(key)) compiled.set(key, compile(route));
      return compiled.get(key);
    };
  };
}
