import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import AdmZip from 'adm-zip';
import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import { cloudImport } from '@taskyard/contracts';
import { keyOf, startHarness, testJobTypes, type Harness } from './gateway-harness';
import type { OpenApiDocument } from './openapi-document';

/**
 * A client generated from /docs/json with openapi-typescript + openapi-fetch (generated-client/), type-
 * checked strictly and run against the gateway: typed submit, a zip upload as multipart/form-data, the
 * event stream read by the document's TaskStreamFrame events and payload types, no cast anywhere.
 */
const run = promisify(execFile);
const DIR = resolve(__dirname, '../generated-client');
const BIN = resolve(__dirname, '../../../node_modules/.bin');

let h: Harness;
let doc: OpenApiDocument;
beforeAll(async () => {
  const jobTypes = testJobTypes((defs) => defs.set('cloud-import', { ...cloudImport, upload: { maxBytes: 64 * 1024, maxUncompressedBytes: 200_000, maxEntries: 5 } }));
  h = await startHarness('gw-generated-client', { jobTypes });
  doc = (await h.api<OpenApiDocument>('GET', '/docs/json')).body;
});
afterAll(() => h?.close());

interface ClientRun {
  timeoutMs: number;
  maxBytes: number;
  json: { status: number; id: string };
  bare: number;
  upload: { status: number; id: string };
  cancelStatus: number;
  events: { event: string; data: Record<string, unknown> }[];
  notFoundCode: string;
}

test('a generated TypeScript client type-checks strictly, uploads a zip and reads typed events', async () => {
  writeFileSync(join(DIR, 'openapi.json'), JSON.stringify(doc));
  await run(join(BIN, 'tsx'), ['generate.ts', 'openapi.json', 'api.ts'], { cwd: DIR });
  // Fails on any type error, and on an @ts-expect-error the document's types no longer cause.
  await run(join(BIN, 'tsc'), ['-p', 'tsconfig.json'], { cwd: DIR }).catch((err: { stdout?: string }) => {
    throw new Error(`the generated client does not type-check:\n${err.stdout ?? String(err)}`);
  });

  const zip = new AdmZip();
  zip.addFile('pupils.csv', Buffer.from('id,name\n1,Ann\n'));
  const zipFile = join(DIR, 'pupils.zip');
  zip.writeZip(zipFile);
  const env = { ...process.env, API_URL: h.gateway.url, API_KEY: keyOf('grace'), ZIP_FILE: zipFile };
  const { stdout } = await run(join(BIN, 'tsx'), ['client.ts'], { cwd: DIR, env, timeout: 30_000 });
  const result = JSON.parse(stdout) as ClientRun;

  expect(result.timeoutMs).toBe(cloudImport.limits.timeoutMs);
  expect(result.maxBytes).toBe(64 * 1024);
  expect(result.json.status).toBe(202);
  expect(result.bare).toBe(202);
  expect(result.upload.status).toBe(202);
  expect(result.cancelStatus).toBe(202);
  expect(result.notFoundCode).toBe('not-found');
  expect(result.events.map((e) => e.event)).toEqual(['snapshot', 'update', 'end']);
  expect(result.events[0]!.data).toMatchObject({ id: result.upload.id, type: 'cloud-import', status: 'queued' });
  expect(result.events.at(-1)!.data).toEqual({ status: 'cancelled' });

  // What was served matches the document: each frame's payload the schema its event names.
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  addFormats(ajv);
  ajv.addSchema(doc, 'openapi');
  const payload = { snapshot: 'Task', update: 'TaskUpdate', end: 'TaskStreamEnd' } as Record<string, string>;
  for (const frame of result.events) {
    const valid = ajv.getSchema(`openapi#/components/schemas/${payload[frame.event]}`)!;
    expect({ frame: frame.event, errors: valid(frame.data) ? null : valid.errors }).toEqual({ frame: frame.event, errors: null });
  }
  // Three tool runs (generator, compiler, client): seconds on an idle machine, more on a shared one.
}, 150_000);
