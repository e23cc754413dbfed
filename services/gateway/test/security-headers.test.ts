import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startHarness, type Harness } from './gateway-harness';

let h: Harness;

beforeAll(async () => {
  // A stand-in console build, so `/` is served as the console is.
  const consoleDir = mkdtempSync(path.join(tmpdir(), 'taskyard-console-'));
  writeFileSync(path.join(consoleDir, 'index.html'), '<!doctype html><title>console</title>');
  h = await startHarness('gw-headers', { consoleDir });
});
afterAll(async () => {
  await h?.close();
});

test('the console is served with a Content-Security-Policy, no framing and no sniffing', async () => {
  const res = await fetch(`${h.gateway.url}/`, { headers: { accept: 'text/html' } });
  expect(res.status).toBe(200);
  expect(res.headers.get('x-frame-options')).toBe('DENY');
  expect(res.headers.get('x-content-type-options')).toBe('nosniff');
  const csp = res.headers.get('content-security-policy') ?? '';
  expect(csp).toContain("default-src 'self'");
  expect(csp).toContain("script-src 'self'");
  expect(csp).toContain("frame-ancestors 'none'");
  expect(csp).toContain("object-src 'none'");
  // Artifact previews are fetched from the object store the presigned URLs name.
  expect(csp).toMatch(new RegExp(`connect-src 'self' ${new URL(h.servers.s3.endpoint).origin.replace(/[.]/g, '\\.')}`));
  expect(csp).not.toContain('unsafe-inline');
});

test('API answers and errors carry the same headers', async () => {
  for (const res of [await h.api('GET', '/v1/me', { as: 'alice' }), await h.api('GET', '/v1/me'), await h.api('GET', '/healthz')]) {
    expect(res.headers.get('x-frame-options')).toBe('DENY');
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
  }
});

test('the API docs keep a policy of their own that lets Swagger UI run', async () => {
  const res = await fetch(`${h.gateway.url}/docs/static/index.html`);
  expect(res.status).toBe(200);
  expect(res.headers.get('content-security-policy')).toContain('script-src');
});
