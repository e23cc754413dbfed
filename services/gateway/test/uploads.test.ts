import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import AdmZip from 'adm-zip';
import mongoose, { type Connection } from 'mongoose';
import { cloudImport } from '@taskyard/contracts';
import { ObjectStore } from '@taskyard/storage';
import { taskModels, type TaskModels } from '@taskyard/tasks';
import type { TaskView } from '../src/task-view';
import { startHarness, testJobTypes, type ApiAnswer, type Harness } from './gateway-harness';

const MAX_BYTES = 64 * 1024;
const spool = mkdtempSync(join(tmpdir(), 'gw-uploads-'));
let h: Harness;
let db: Connection;
let models: TaskModels;
let store: ObjectStore;

beforeAll(async () => {
  const jobTypes = testJobTypes((defs) =>
    defs.set('cloud-import', { ...cloudImport, upload: { maxBytes: MAX_BYTES, maxUncompressedBytes: 200_000, maxEntries: 5 } }),
  );
  h = await startHarness('gw-uploads', { jobTypes, uploadDir: spool });
  db = await mongoose.createConnection(h.servers.mongoUrl).asPromise();
  models = taskModels(db);
  store = new ObjectStore(h.servers.s3);
});
afterAll(async () => {
  store?.close();
  await db?.close();
  await h?.close();
  rmSync(spool, { recursive: true, force: true });
});

function zip(build: (z: AdmZip) => void): Buffer {
  const z = new AdmZip();
  build(z);
  return z.toBuffer();
}

const csvZip = (): Buffer => zip((z) => z.addFile('pupils.csv', Buffer.from('id,name\n1,Ann\n')));

/** adm-zip cleans the names it is given; a hostile zip is not so kind, so a same-length name is patched in. */
function hostileName(name: string): Buffer {
  const safe = 'a'.repeat(name.length);
  return Buffer.from(zip((z) => z.addFile(safe, Buffer.from('x'))).toString('latin1').split(safe).join(name), 'latin1');
}

function upload(as: string, file: Buffer | undefined, fields: Record<string, string> = {}): Promise<ApiAnswer> {
  const form = new FormData();
  form.set('type', fields.type ?? 'cloud-import');
  form.set('title', fields.title ?? 'Spring import');
  form.set('params', fields.params ?? '{}');
  if (file) form.set('file', new Blob([new Uint8Array(file)], { type: 'application/zip' }), fields.fileName ?? 'school data.zip');
  return h.api('POST', '/v1/tasks', { as, body: form });
}

async function nothingLeftBehind(owner: string): Promise<void> {
  expect(await models.Task.countDocuments({ owner })).toBe(0);
  expect(await models.Slot.countDocuments({ _id: new RegExp(`^${owner}:`) })).toBe(0);
  expect(readdirSync(spool)).toEqual([]);
}

test('a zip is stored at uploadKey(taskId, name) and named in the params', async () => {
  const file = csvZip();
  const res = await upload('alice', file);
  expect(res.status).toBe(202);
  const task = await h.api<TaskView>('GET', `/v1/tasks/${String(res.body.id)}`, { as: 'alice' });
  expect(task.body.title).toBe('Spring import');
  expect(task.body.params).toEqual({ uploadKey: `uploads/${String(res.body.id)}/school_data.zip`, fileName: 'school data.zip' });
  const stored = await store.getBuffer(String(task.body.params.uploadKey));
  expect(stored.equals(file)).toBe(true);
  expect(readdirSync(spool)).toEqual([]);
});

test.each([
  ['just over the limit', MAX_BYTES + 1024],
  ['far over it', 8 * 1024 * 1024],
])('too large (%s) → 413 upload-too-large, nothing stored', async (_name, bytes) => {
  const big = zip((z) => z.addFile('big.bin', randomBytes(bytes)));
  expect(big.length).toBeGreaterThan(MAX_BYTES);
  const res = await upload('bob', big);
  expect(res.status).toBe(413);
  expect(res.body.error?.code).toBe('upload-too-large');
  await nothingLeftBehind('bob');
});

test.each([
  ['not a zip', () => Buffer.from('this is plain text, not a zip file at all'), 'not-a-zip'],
  ['an absolute path', () => hostileName('/etc/cron.d/x'), 'unsafe-path'],
  ['a ".." path', () => hostileName('../../escape.csv'), 'unsafe-path'],
  ['a symlink', () => zip((z) => void (z.addFile('link.csv', Buffer.from('/etc/passwd')).attr = (0o120777 << 16) >>> 0)), 'symlink'],
  ['too many entries', () => zip((z) => { for (let i = 0; i < 6; i++) z.addFile(`f${i}.csv`, Buffer.from('1')); }), 'too-many-entries'],
  ['too large uncompressed', () => zip((z) => z.addFile('zeros.csv', Buffer.alloc(300_000))), 'too-large-uncompressed'],
])('%s → 422 invalid-zip, nothing stored', async (_name, make, problem) => {
  const res = await upload('carol', make());
  expect(res.status).toBe(422);
  expect(res.body.error?.code).toBe('invalid-zip');
  expect(res.body.error?.details).toMatchObject({ problem });
  await nothingLeftBehind('carol');
});

test('a type that takes a file needs one; one that takes none refuses it', async () => {
  const missing = await upload('dave', undefined);
  expect(missing.status).toBe(400);
  expect(missing.body.error?.code).toBe('invalid-params');
  const json = await h.api('POST', '/v1/tasks', { as: 'dave', json: { type: 'cloud-import', params: { uploadKey: 'uploads/someone-else/x.zip' } } });
  expect(json.status).toBe(400);
  const extra = await upload('dave', csvZip(), { type: 'diagnostic' });
  expect(extra.status).toBe(400);
  await nothingLeftBehind('dave');
});

test('bad multipart fields: params that are not JSON, an unknown type', async () => {
  const badJson = await upload('erin', csvZip(), { params: '{nope' });
  expect(badJson.status).toBe(400);
  expect(badJson.body.error?.code).toBe('malformed-json');
  const unknown = await upload('erin', csvZip(), { type: 'nope' });
  expect(unknown.body.error?.code).toBe('unknown-type');
  await nothingLeftBehind('erin');
});

test('at the limit an upload is refused with 429 before anything reaches S3', async () => {
  for (let i = 0; i < 3; i++) expect((await upload('frank', csvZip())).status).toBe(202);
  const res = await upload('frank', csvZip());
  expect(res.status).toBe(429);
  expect(await models.Task.countDocuments({ owner: 'frank' })).toBe(3);
});

test('every object under uploads/ belongs to a stored task (refusals left nothing in S3)', async () => {
  const withUploads = await models.Task.countDocuments({ 'params.uploadKey': { $exists: true } });
  expect(withUploads).toBe(4);
  // ObjectStore can count a prefix only by deleting it; this is the file's last test.
  expect(await store.deletePrefix('uploads/')).toBe(withUploads);
});
