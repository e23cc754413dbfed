import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import AdmZip from 'adm-zip';
import mongoose, { type Connection } from 'mongoose';
import { taskModels, type TaskModels } from '@taskyard/tasks';
import { waitFor } from '@taskyard/testing';
import { createLogger } from '@taskyard/logging';
import { startGateway } from '../src/gateway';
import { KEYS, keyOf, startHarness, testJobTypes, type Harness } from './gateway-harness';

const spool = mkdtempSync(join(tmpdir(), 'gw-upload-limits-'));
let h: Harness;
let db: Connection;
let models: TaskModels;
const STRICT = { port: 0, host: '127.0.0.1', jobTypes: testJobTypes(), keys: KEYS, logger: createLogger('gateway-strict'), uploadDir: spool };

beforeAll(async () => {
  h = await startHarness('gw-upload-limits', { uploadDir: spool, uploadsPerOwner: 1 });
  db = await mongoose.createConnection(h.servers.mongoUrl).asPromise();
  models = taskModels(db);
});
afterAll(async () => {
  await db?.close();
  await h?.close();
  rmSync(spool, { recursive: true, force: true });
});

/** An upload that announces 10 MB, sends the `type` field and the file's first bytes, then goes silent. */
function stalledUpload(as: string, url = h.gateway.url): Socket {
  const boundary = 'stalled-boundary';
  const body =
    `--${boundary}\r\nContent-Disposition: form-data; name="type"\r\n\r\ncloud-import\r\n` +
    `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="big.zip"\r\nContent-Type: application/zip\r\n\r\nPK` +
    'x'.repeat(4096);
  const socket = connect(Number(new URL(url).port), '127.0.0.1');
  socket.on('error', () => undefined);
  socket.write(
    `POST /v1/tasks HTTP/1.1\r\nHost: gateway\r\nAuthorization: Bearer ${keyOf(as)}\r\n` +
      `Content-Type: multipart/form-data; boundary=${boundary}\r\nContent-Length: 10000000\r\n\r\n${body}`,
  );
  return socket;
}

const slotsOf = (owner: string): Promise<number> => models.Slot.countDocuments({ _id: new RegExp(`^${owner}:cloud-import:`) });
const closed = (s: Socket): Promise<void> => new Promise((r) => (s.closed ? r() : s.once('close', () => r())));

test("a stalled upload holds its owner's slot from before its body is read, and the idle deadline drops it with its temp file and slot", async () => {
  // A gateway of its own with a short idle deadline (the default is minutes), on the same servers.
  const strict = await startGateway({ ...STRICT, servers: h.servers, timeouts: { requestMs: 20_000, connectionMs: 2500, keepAliveMs: 300 } });
  try {
    await stalledThenDropped(strict.url);
  } finally {
    await strict.close();
  }
});

async function stalledThenDropped(url: string): Promise<void> {
  const socket = stalledUpload('alice', url);
  await waitFor("the owner's slot, taken before the file is spooled", async () => (await slotsOf('alice')) === 1, { timeoutMs: 20_000 });
  await waitFor('the connection to be dropped', () => socket.closed, { timeoutMs: 20_000 });
  await closed(socket);
  await waitFor('the slot to be freed', async () => (await slotsOf('alice')) === 0, { timeoutMs: 20_000 });
  await waitFor('the temp file to be removed', () => readdirSync(spool).length === 0, { timeoutMs: 20_000 });
  expect(await models.Task.countDocuments({ owner: 'alice' })).toBe(0);
}

test('an owner past their concurrent uploads gets 429 too-many-uploads before anything is read; others are not affected', async () => {
  const socket = stalledUpload('bob');
  await waitFor("bob's first upload to be under way", async () => (await slotsOf('bob')) === 1, { timeoutMs: 20_000 });
  const zip = new AdmZip();
  zip.addFile('pupils.csv', Buffer.from('pupil_id\n1\n'));
  const form = (): FormData => {
    const f = new FormData();
    f.set('type', 'cloud-import');
    f.set('file', new Blob([new Uint8Array(zip.toBuffer())], { type: 'application/zip' }), 'pupils.zip');
    return f;
  };
  const second = await h.api('POST', '/v1/tasks', { as: 'bob', body: form() });
  expect(second.status).toBe(429);
  expect(second.body.error).toMatchObject({ code: 'too-many-uploads', details: { limit: 1 } });
  const carol = await h.api('POST', '/v1/tasks', { as: 'carol', body: form() });
  expect(carol.status).toBe(202);
  socket.destroy();
  await waitFor("bob's slot to be freed", async () => (await slotsOf('bob')) === 0, { timeoutMs: 20_000 });
});

test('an upload whose type comes after its file is refused with 400 naming the order', async () => {
  // The earlier tests' spooled files are removed asynchronously; this upload must add none of its own.
  await waitFor('the earlier uploads to leave the spool', () => readdirSync(spool).length === 0, { timeoutMs: 20_000 });
  const f = new FormData();
  f.set('file', new Blob([new Uint8Array([0x50, 0x4b])], { type: 'application/zip' }), 'a.zip');
  f.set('type', 'cloud-import');
  const res = await h.api('POST', '/v1/tasks', { as: 'dave', body: f });
  expect(res.status).toBe(400);
  expect(res.body.error?.message).toContain('"type" field before the "file"');
  expect(readdirSync(spool)).toEqual([]);
});
