import Fastify from 'fastify';
import { sharedSchemaCompilers } from './schema-compilers';

const body = { type: 'object', properties: { error: { type: 'object', properties: { code: { type: 'string' } } } } };
const route = (schema: unknown, url: string) => ({ schema, url, method: 'GET', httpStatus: '404' });

test('routes that declare the same schema share one compiled serializer and validator; another schema gets its own', () => {
  const { buildSerializer, buildValidator } = sharedSchemaCompilers();
  const serializer = buildSerializer!({}, undefined);
  const first = serializer(route(body, '/a'));
  expect(serializer(route(structuredClone(body), '/b'))).toBe(first);
  expect(serializer(route({ type: 'object', properties: { n: { type: 'integer' } } }, '/c'))).not.toBe(first);
  expect(first({ error: { code: 'not-found' }, extra: 1 })).toBe('{"error":{"code":"not-found"}}');
  // A second build with the same shared schemas (Fastify makes one per plugin that adds schemas) reuses them too.
  expect(buildSerializer!({}, undefined)(route(body, '/d'))).toBe(first);
  const validator = buildValidator!({}, { customOptions: { coerceTypes: 'array' } });
  const v = validator({ schema: body, url: '/a', method: 'POST', httpPart: 'body' });
  expect(validator({ schema: structuredClone(body), url: '/b', method: 'POST', httpPart: 'body' })).toBe(v);
});

test('a response schema that cannot be compiled still fails the start, not a response', async () => {
  const app = Fastify({ schemaController: { compilersFactory: sharedSchemaCompilers() } });
  app.get('/bad', { schema: { response: { 200: { $ref: 'Missing#' } } } }, async () => ({}));
  await expect(app.ready()).rejects.toThrow(/Missing/);
});
