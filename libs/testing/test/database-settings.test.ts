import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { freePort } from '../src';

/**
 * The local database's settings as deploy/local starts it (`servers.sh database-start`, on a private state and
 * ports of its own: the shared servers are never restarted by a test). What lowers its CPU per task is set;
 * what keeps a commit durable is left at PostgreSQL's defaults.
 */
const ROOT = path.resolve(__dirname, '../../..');
let state: string;
let env: NodeJS.ProcessEnv;

const servers = (command: string): void => void execFileSync('bash', [path.join(ROOT, 'deploy/local/servers.sh'), command], { env, stdio: ['ignore', 'ignore', 'inherit'] });
const show = (setting: string): string =>
  execFileSync('psql', ['-h', '127.0.0.1', '-p', env.TASKYARD_PG_PORT!, '-U', 'taskyard', '-d', 'taskyard', '-tAc', `show ${setting}`], { encoding: 'utf8' }).trim();

beforeAll(async () => {
  state = mkdtempSync(path.join(tmpdir(), 'taskyard-db-settings-'));
  env = { ...process.env, TASKYARD_STATE: state, TASKYARD_PG_PORT: String(await freePort()), TASKYARD_MONGO_PORT: String(await freePort()) };
  delete env.FERRETDB_GOGC;
  servers('database-start');
}, 120_000);
afterAll(() => {
  if (!state) return;
  servers('database-stop');
  rmSync(state, { recursive: true, force: true });
});

test('PostgreSQL compresses large documents with lz4, not pglz', () => {
  expect(show('default_toast_compression')).toBe('lz4');
});

test('every commit stays durable: fsync, synchronous commit and full page writes on', () => {
  expect([show('fsync'), show('synchronous_commit'), show('full_page_writes')]).toEqual(['on', 'on', 'on']);
});

test("FerretDB runs with Go's collector at 4x the live heap", () => {
  const pid = readFileSync(path.join(state, 'run/ferretdb.pid'), 'utf8').trim();
  const environ = readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0');
  expect(environ).toContain('GOGC=400');
});
