import { get, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { brotliCompressSync, gunzipSync, gzipSync } from 'node:zlib';
import Fastify, { type FastifyInstance } from 'fastify';
import { consolePlugin, IMMUTABLE, REVALIDATE } from './console';

// A build as Vite and its compression plugin write it: a hashed script with its .gz and .br, and index.html.
const SCRIPT = `console.log(${JSON.stringify('taskyard '.repeat(400))});\n`;
let dir: string;
let app: FastifyInstance;
let base: string;

/** The raw answer (node's fetch would undo the compression this test is about). */
function getRaw(url: string, acceptEncoding: string): Promise<{ status: number; headers: IncomingHttpHeaders; body: Buffer }> {
  return new Promise((resolve, reject) => {
    get(`${base}${url}`, { headers: { 'accept-encoding': acceptEncoding } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    }).on('error', reject);
  });
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'taskyard-console-dist-'));
  mkdirSync(join(dir, 'assets'));
  writeFileSync(join(dir, 'index.html'), '<!doctype html><script src="./assets/index-AbC123.js"></script>');
  writeFileSync(join(dir, 'assets', 'index-AbC123.js'), SCRIPT);
  writeFileSync(join(dir, 'assets', 'index-AbC123.js.gz'), gzipSync(SCRIPT));
  writeFileSync(join(dir, 'assets', 'index-AbC123.js.br'), brotliCompressSync(SCRIPT));
  app = Fastify();
  await app.register(consolePlugin, { dir });
  await app.listen({ port: 0, host: '127.0.0.1' });
  base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await app.close();
  rmSync(dir, { recursive: true, force: true });
});

test('a hashed asset is sent compressed as the browser accepts it, and cached for a year', async () => {
  const br = await getRaw('/assets/index-AbC123.js', 'gzip, deflate, br');
  expect(br.status).toBe(200);
  expect(br.headers['content-encoding']).toBe('br');
  expect(br.headers['content-type']).toMatch(/javascript/);
  expect(br.headers['cache-control']).toBe(IMMUTABLE);
  expect(br.headers.vary).toMatch(/accept-encoding/i);
  expect(br.body.length).toBeLessThan(SCRIPT.length / 5);

  const gz = await getRaw('/assets/index-AbC123.js', 'gzip');
  expect(gz.headers['content-encoding']).toBe('gzip');
  expect(gunzipSync(gz.body).toString()).toBe(SCRIPT);
  expect(gz.headers['cache-control']).toBe(IMMUTABLE);
});

test('a client that takes no compression gets the plain file', async () => {
  const plain = await getRaw('/assets/index-AbC123.js', 'identity');
  expect(plain.headers['content-encoding']).toBeUndefined();
  expect(plain.body.toString()).toBe(SCRIPT);
  expect(plain.headers['cache-control']).toBe(IMMUTABLE);
});

test('index.html is revalidated every time, so a new build shows at once', async () => {
  for (const url of ['/', '/index.html']) {
    const page = await getRaw(url, 'gzip, br');
    expect(page.status).toBe(200);
    expect(page.body.toString()).toContain('index-AbC123.js');
    expect(page.headers['cache-control']).toBe(REVALIDATE);
  }
});
