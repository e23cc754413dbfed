import { startHarness, type Harness } from './gateway-harness';
import { lintDocument, operations, type OpenApiDocument } from './openapi-document';

let h: Harness;
let doc: OpenApiDocument;
beforeAll(async () => {
  h = await startHarness('gw-openapi');
  doc = (await h.api<OpenApiDocument>('GET', '/docs/json')).body;
});
afterAll(() => h?.close());

const errorRef = /^#\/components\/schemas\/Error[45]\d\d$/;
/** Seed 001's routes answer errors in its own envelope, as its clients expect (issue 13). */
const inSeedEnvelope = (path: string): boolean => path.startsWith('/job/request/');
/** The seeds' compatibility APIs sit outside /v1, as their clients call them, and need a key like /v1. */
const seedApi = (path: string): boolean => inSeedEnvelope(path) || path.startsWith('/requests');

describe('the OpenAPI document at /docs/json', () => {
  test('0 errors and 0 warnings under Redocly recommended and Spectral spectral:oas', async () => {
    const problems = await lintDocument(doc);
    // Printed in full on failure: each line says which route lacks what.
    expect(problems.map((p) => `${p.linter} ${p.severity} ${p.rule} at ${p.path}: ${p.message}`)).toEqual([]);
  }, 120_000);

  test('every operation has an operationId, a defined tag, and its error statuses with the error body schema', () => {
    const tags = new Set((doc.tags ?? []).map((t) => t.name));
    const ids = new Set<string>();
    for (const { method, path, op } of operations(doc)) {
      const where = `${method.toUpperCase()} ${path}`;
      expect({ where, operationId: typeof op.operationId }).toEqual({ where, operationId: 'string' });
      expect({ where, duplicate: ids.has(op.operationId!) }).toEqual({ where, duplicate: false });
      ids.add(op.operationId!);
      expect({ where, tagged: (op.tags ?? []).length > 0 && (op.tags ?? []).every((t) => tags.has(t)) }).toEqual({ where, tagged: true });
      for (const [status, response] of Object.entries(op.responses)) {
        expect({ where, status, range: /^[1-5]XX$/i.test(status) }).toEqual({ where, status, range: false });
        if (Number(status) < 400) continue;
        const ref = response.content?.['application/json']?.schema?.$ref;
        // 408, 414 and 431 are answered before any route (the HTTP server, the router), in the platform's body everywhere.
        const expected = inSeedEnvelope(path) && !['408', '414', '431'].includes(status) ? '#/components/schemas/JobRequestError' : `#/components/schemas/Error${status}`;
        expect({ where, status, ref: String(ref) }).toEqual({ where, status, ref: expected });
        if (expected.includes('/Error')) expect(ref).toMatch(errorRef);
      }
    }
  });

  test("each error status's code is an enum of the gateway's codes for that status", () => {
    const error404 = doc.components.schemas.Error404 as { properties: { error: { properties: { code: { enum: string[] } } } } };
    expect(error404.properties.error.properties.code.enum).toEqual(['not-found']);
    const error400 = doc.components.schemas.Error400 as typeof error404;
    expect(error400.properties.error.properties.code.enum).toEqual(expect.arrayContaining(['malformed-json', 'invalid-params', 'invalid-request', 'unknown-type']));
  });

  test('the probes need no key, /v1 routes say 401, admin routes need the admin key and say 403', () => {
    for (const { method, path, op } of operations(doc)) {
      const where = `${method.toUpperCase()} ${path}`;
      if (!path.startsWith('/v1/') && !seedApi(path)) {
        expect({ where, security: op.security }).toEqual({ where, security: [] });
        continue;
      }
      expect({ where, has401: '401' in op.responses }).toEqual({ where, has401: true });
      const admin = path.startsWith('/v1/admin/');
      expect({ where, security: op.security?.map((s) => Object.keys(s)[0]) }).toEqual({
        where,
        security: admin ? ['adminKey'] : expect.arrayContaining(['apiKey']),
      });
      // Processor routes need a processor (or admin) key: a user key gets 403.
      const processor = (op.tags ?? []).includes('processors');
      expect({ where, has403: '403' in op.responses }).toEqual({ where, has403: admin || processor });
    }
    expect(Object.keys(doc.paths['/readyz']!.get!.responses)).toEqual(['200', '431', '503']);
  });

  test('the upload is multipart/form-data, the events route text/event-stream with its frames described', () => {
    const submit = doc.paths['/v1/tasks']!.post! as unknown as { requestBody: { content: Record<string, { schema: { properties: Record<string, unknown> } }> } };
    expect(Object.keys(submit.requestBody.content).sort()).toEqual(['application/json', 'multipart/form-data']);
    expect(submit.requestBody.content['multipart/form-data']!.schema.properties.file).toMatchObject({ type: 'string', format: 'binary' });
    const events = doc.paths['/v1/tasks/{id}/events']!.get!.responses['200']!;
    expect(Object.keys(events.content ?? {})).toEqual(['text/event-stream']);
    expect(events.content!['text/event-stream']!.schema).toEqual({ $ref: '#/components/schemas/TaskStreamFrame' });
    // (fastify-swagger writes a `const` as a one-value enum)
    const frames = doc.components.schemas.TaskStreamFrame as { oneOf: { properties: { event: { enum: string[] }; data: { contentSchema: unknown } } }[] };
    expect(frames.oneOf.map((f) => [f.properties.event.enum[0], f.properties.data.contentSchema])).toEqual([
      ['snapshot', { $ref: '#/components/schemas/Task' }],
      ['update', { $ref: '#/components/schemas/TaskUpdate' }],
      ['end', { $ref: '#/components/schemas/TaskStreamEnd' }],
    ]);
  });
});
