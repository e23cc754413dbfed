import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import mongoose from 'mongoose';
import { explainFind, freePort, waitFor } from '../src';

/**
 * The local database's settings as deploy/local starts it (`servers.sh database-start`, on a private state and
 * ports of its own: the shared servers are never restarted by a test). What lowers its CPU per task is set;
 * what keeps a commit durable is left at PostgreSQL's defaults.
 */
const ROOT = path.resolve(__dirname, '../../..');
let state: string;
let env: NodeJS.ProcessEnv;

const servers = (command: string): void => void execFileSync('bash', [path.join(ROOT, 'deploy/local/servers.sh'), command], { env, stdio: ['ignore', 'ignore', 'inherit'] });
const sql = (statement: string): string =>
  execFileSync('psql', ['-h', '127.0.0.1', '-p', env.TASKYARD_PG_PORT!, '-U', 'taskyard', '-d', 'taskyard', '-tAc', statement], { encoding: 'utf8' }).trim();
const show = (setting: string): string => sql(`show ${setting}`);

beforeAll(async () => {
  state = mkdtempSync(path.join(tmpdir(), 'taskyard-db-settings-'));
  env = { ...process.env, TASKYARD_STATE: state, TASKYARD_PG_PORT: String(await freePort()), TASKYARD_MONGO_PORT: String(await freePort()) };
  delete env.FERRETDB_GOGC;
  servers('database-start');
  // Every statement FerretDB sends is logged, with the backend's pid (log_line_prefix '%m [%p] ').
  sql("alter role taskyard set log_statement = 'all'");
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

test('FerretDB updates one document with one UPDATE statement, without BEGIN and COMMIT around it (deploy/local/ferretdb/patches)', async () => {
  const conn = await mongoose.createConnection(`mongodb://127.0.0.1:${env.TASKYARD_MONGO_PORT}/settings`, { serverSelectionTimeoutMS: 10_000 }).asPromise();
  try {
    const tasks = conn.db!.collection<{ _id: string; status: string }>('tasks');
    await tasks.insertOne({ _id: 't1', status: 'queued' });
    expect((await tasks.updateOne({ _id: 't1', status: 'queued' }, { $set: { status: 'succeeded' } })).modifiedCount).toBe(1);
    expect(await tasks.findOne({ _id: 't1' })).toEqual({ _id: 't1', status: 'succeeded' });
  } finally {
    await conn.close();
  }
  const beside = statementsBeside(/^UPDATE .*tasks_.* SET _jsonb = \$1/);
  expect(beside).not.toContain('begin');
  expect(beside).not.toContain('commit');
});

/**
 * The statements FerretDB's backend sent just before and after the last statement matching `pattern`, from
 * PostgreSQL's statement log (log_statement = 'all', log_line_prefix '%m [%p] ': the backend's pid).
 */
function statementsBeside(pattern: RegExp): string[] {
  const log = readFileSync(path.join(state, 'pg/postgres.log'), 'utf8').split('\n');
  const byPid = (line: string): string | undefined => /\[(\d+)\] LOG:  (?:statement|execute [^:]*): /.exec(line)?.[1];
  const statements = log.map((line) => ({ pid: byPid(line), text: line.replace(/^.*?LOG:  (?:statement|execute [^:]*): /, '') })).filter((l) => l.pid);
  const at = statements.findLastIndex((l) => pattern.test(l.text));
  expect(at).toBeGreaterThan(-1);
  return statements.filter((l, i) => l.pid === statements[at].pid && Math.abs(i - at) <= 2 && i !== at).map((l) => l.text.trim().toLowerCase());
}

test('FerretDB inserts documents that fit one INSERT statement without BEGIN and COMMIT around it (deploy/local/ferretdb/patches)', async () => {
  const conn = await mongoose.createConnection(`mongodb://127.0.0.1:${env.TASKYARD_MONGO_PORT}/settings`, { serverSelectionTimeoutMS: 10_000 }).asPromise();
  try {
    await conn.db!.collection<{ _id: string }>('inserted').insertMany([{ _id: 'i1' }, { _id: 'i2' }, { _id: 'i3' }]);
  } finally {
    await conn.close();
  }
  const beside = statementsBeside(/^INSERT INTO .*inserted_.* VALUES \(\$1\), \(\$2\), \(\$3\)/);
  expect(beside).not.toContain('begin');
  expect(beside).not.toContain('commit');
});

test("a single-statement insert keeps the transaction's answers: a duplicate in a batch inserts none of it in that statement, then the others one by one, naming the duplicate", async () => {
  const conn = await mongoose.createConnection(`mongodb://127.0.0.1:${env.TASKYARD_MONGO_PORT}/settings`, { serverSelectionTimeoutMS: 10_000 }).asPromise();
  try {
    const coll = conn.db!.collection<{ _id: string }>('batches');
    await coll.insertOne({ _id: 'd2' });
    const err = await coll.insertMany([{ _id: 'd1' }, { _id: 'd2' }, { _id: 'd3' }], { ordered: false }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 11000, result: { insertedCount: 2 } });
    expect((await coll.find().toArray()).map((d) => d._id).sort()).toEqual(['d1', 'd2', 'd3']);
    await expect(coll.insertOne({ _id: 'd3' })).rejects.toMatchObject({ code: 11000 });
  } finally {
    await conn.close();
  }
});

test("a single-statement update keeps the transaction's answers: a unique index's violation fails the update and changes nothing", async () => {
  const conn = await mongoose.createConnection(`mongodb://127.0.0.1:${env.TASKYARD_MONGO_PORT}/settings`, { serverSelectionTimeoutMS: 10_000 }).asPromise();
  try {
    const keyed = conn.db!.collection<{ _id: string; key: string; n: number }>('keyed');
    await keyed.createIndex({ key: 1 }, { unique: true });
    await keyed.insertMany([{ _id: 'a', key: 'ka', n: 0 }, { _id: 'b', key: 'kb', n: 0 }]);
    await expect(keyed.updateOne({ _id: 'b' }, { $set: { key: 'ka', n: 1 } })).rejects.toThrow(/duplicate key|23505/);
    expect(await keyed.findOne({ _id: 'b' })).toEqual({ _id: 'b', key: 'kb', n: 0 });
    const missed = await keyed.updateOne({ _id: 'c' }, { $set: { n: 1 } });
    expect([missed.matchedCount, missed.modifiedCount]).toEqual([0, 0]);
  } finally {
    await conn.close();
  }
});

test('an update command on several distinct _ids reads them with one SELECT and writes them with one UPDATE, each statement under its own filter (deploy/local/ferretdb/patches)', async () => {
  const conn = await mongoose.createConnection(`mongodb://127.0.0.1:${env.TASKYARD_MONGO_PORT}/settings`, { serverSelectionTimeoutMS: 10_000 }).asPromise();
  try {
    const folds = conn.db!.collection<{ _id: string; status: string; n?: number }>('folds');
    await folds.insertMany([{ _id: 'f-a', status: 'queued' }, { _id: 'f-b', status: 'running' }, { _id: 'f-d', status: 'queued' }, { _id: 'f-e', status: 'queued' }]);
    const answer = await conn.db!.command({
      update: 'folds',
      updates: [
        { q: { _id: 'f-a', status: 'queued' }, u: { $set: { status: 'running', n: 1 } } },
        // Not as its filter expects, missing, and matched with nothing to change: none of them written.
        { q: { _id: 'f-b', status: 'queued' }, u: { $set: { status: 'succeeded' } } },
        { q: { _id: 'f-c', status: 'queued' }, u: { $set: { status: 'succeeded' } } },
        { q: { _id: 'f-e', status: 'queued' }, u: { $set: { status: 'queued' } } },
        { q: { _id: 'f-d', status: 'queued' }, u: { $set: { status: 'running' } } },
      ],
    });
    expect([answer.n, answer.nModified]).toEqual([3, 2]);
    expect(await folds.find().sort({ _id: 1 }).toArray()).toEqual([
      { _id: 'f-a', status: 'running', n: 1 },
      { _id: 'f-b', status: 'running' },
      { _id: 'f-d', status: 'running' },
      { _id: 'f-e', status: 'queued' },
    ]);
  } finally {
    await conn.close();
  }
  const beside = statementsBeside(/^UPDATE .*folds_.* SET _jsonb = v\.doc FROM unnest\(/);
  expect(beside.some((s) => /^select .*folds_.* where _jsonb->'_id' = any\(\$1::jsonb\[\]\)/.test(s))).toBe(true);
});

test('an update command whose one UPDATE violates a unique index answers as FerretDB does statement by statement: those before it written, the error, nothing after', async () => {
  const conn = await mongoose.createConnection(`mongodb://127.0.0.1:${env.TASKYARD_MONGO_PORT}/settings`, { serverSelectionTimeoutMS: 10_000 }).asPromise();
  try {
    const keyed = conn.db!.collection<{ _id: string; key: string; n: number }>('keyed_batch');
    await keyed.createIndex({ key: 1 }, { unique: true });
    await keyed.insertMany([{ _id: 'a', key: 'ka', n: 0 }, { _id: 'b', key: 'kb', n: 0 }, { _id: 'c', key: 'kc', n: 0 }]);
    const command = { update: 'keyed_batch', updates: ['a', 'b', 'c'].map((id) => ({ q: { _id: id }, u: { $set: id === 'b' ? { key: 'ka', n: 1 } : { n: 1 } } })) };
    await expect(conn.db!.command(command)).rejects.toThrow(/duplicate key|23505/);
    expect(await keyed.find().sort({ _id: 1 }).toArray()).toEqual([{ _id: 'a', key: 'ka', n: 1 }, { _id: 'b', key: 'kb', n: 0 }, { _id: 'c', key: 'kc', n: 0 }]);
  } finally {
    await conn.close();
  }
});

test('a GIN index made with the pending list (by an earlier gin-indexes.sql) is read without it: its list is moved into the tree', () => {
  // Autovacuum off: its analyze would move the list itself. A jsonb_ops twin of the index (not one of ours, left
  // as it is) shows that the same inserts did fill a pending list.
  sql('create table pending_probe (_jsonb jsonb) with (autovacuum_enabled = false)');
  sql("create index pending_ours on pending_probe using gin ((_jsonb -> 'k') jsonb_path_ops) with (fastupdate = on)");
  sql("create index pending_other on pending_probe using gin ((_jsonb -> 'k') jsonb_ops) with (fastupdate = on)");
  sql("insert into pending_probe select jsonb_build_object('k', 'v' || i) from generate_series(1, 500) i");
  servers('gin-indexes');
  expect(sql("select array_to_string(reloptions, ' ') from pg_class where relname = 'pending_ours'")).toBe('fastupdate=off');
  expect(Number(sql("select gin_clean_pending_list('pending_ours')"))).toBe(0);
  expect(Number(sql("select gin_clean_pending_list('pending_other')"))).toBeGreaterThan(0);
});

test('the list marks are vacuumed by a count of dead rows, whatever their table holds; other tables by the default share', async () => {
  const conn = await mongoose.createConnection(`mongodb://127.0.0.1:${env.TASKYARD_MONGO_PORT}/vacuum`, { serverSelectionTimeoutMS: 10_000 }).asPromise();
  try {
    await conn.db!.collection('list_marks').createIndex({ p: 1 });
    await conn.db!.collection('tasks').createIndex({ lk: 1 });
  } finally {
    await conn.close();
  }
  const options = (table: string): string =>
    sql(`select coalesce(array_to_string(c.reloptions, ' '), '') from pg_class c join pg_namespace n on n.oid = c.relnamespace where n.nspname = 'vacuum' and c.relname like '${table}\\_%' and c.relkind = 'r'`);
  const byCount = 'autovacuum_vacuum_scale_factor=0 autovacuum_vacuum_threshold=2000 vacuum_index_cleanup=on';
  expect(options('list_marks')).toBe(byCount);
  expect(options('tasks')).toBe('');
  // A table made before these settings gets them at the next start.
  sql('create table list_marks_before (_jsonb jsonb)');
  servers('gin-indexes');
  expect(sql("select array_to_string(reloptions, ' ') from pg_class where relname = 'list_marks_before'")).toBe(byCount);
});

test('a table another session holds (a test dropping its database) fails no start: what needs its lock is left for the next run', async () => {
  // What FerretDB and earlier versions of gin-indexes.sql left (made with the trigger off, which would turn the
  // btree into a GIN at once): a btree on a field, a GIN of ours with its pending list on, and a twin whose btree
  // is gone.
  sql('alter event trigger taskyard_gin_twins disable');
  try {
    sql('create table held_probe (_jsonb jsonb)');
    sql("create index held_probe_x_1 on held_probe ((_jsonb -> 'x'))");
    sql("create index held_probe_p on held_probe using gin ((_jsonb -> 'p') jsonb_path_ops) with (fastupdate = on)");
    sql("create index gin_held_probe_gone on held_probe using gin ((_jsonb -> 'gone') jsonb_path_ops) with (fastupdate = off)");
  } finally {
    sql('alter event trigger taskyard_gin_twins enable');
  }
  // Catalog reads only (no lock on the held table): the btree's access method, the GIN's options, the twin.
  const indexes = (): string[] => [
    sql("select a.amname from pg_class c join pg_am a on a.oid = c.relam where c.relname = 'held_probe_x_1'"),
    sql("select array_to_string(reloptions, ' ') from pg_class where relname = 'held_probe_p'"),
    sql("select count(*) from pg_class where relname = 'gin_held_probe_gone'"),
  ];
  const holder = spawn('psql', ['-h', '127.0.0.1', '-p', env.TASKYARD_PG_PORT!, '-U', 'taskyard', '-d', 'taskyard', '-qc',
    'begin; lock table held_probe in access exclusive mode; select pg_sleep(600)'], { env: { ...env, PGAPPNAME: 'held_probe_holder' }, stdio: 'ignore' });
  const exited = new Promise((resolve) => holder.once('exit', resolve));
  try {
    await waitFor('the table held', () => sql("select count(*) from pg_locks where relation = 'held_probe'::regclass and mode = 'AccessExclusiveLock' and granted") === '1');
    servers('gin-indexes');
    // The GIN's settings need a lock on the index only.
    expect(indexes()).toEqual(['btree', 'fastupdate=off', '1']);
  } finally {
    sql("select pg_terminate_backend(pid) from pg_stat_activity where application_name = 'held_probe_holder'");
    await exited;
  }
  servers('gin-indexes');
  expect(indexes()).toEqual(['gin', 'fastupdate=off', '0']);
});

test("this checkout's FerretDB finds by _id through the _id btree, so _id has no GIN twin; while another FerretDB serves, the twins stay", async () => {
  const conn = await mongoose.createConnection(`mongodb://127.0.0.1:${env.TASKYARD_MONGO_PORT}/twins`, { serverSelectionTimeoutMS: 10_000 }).asPromise();
  const idTwins = (): number =>
    Number(sql(String.raw`select count(*) from pg_index i join pg_class c on c.oid = i.indexrelid join pg_class t on t.oid = i.indrelid
      join pg_namespace n on n.oid = t.relnamespace
      where n.nspname = 'twins' and t.relname like 'docs\_%' and c.relname like 'gin\_%' and pg_get_indexdef(i.indexrelid, 1, true) like '%''\_id''%'`));
  try {
    const docs = conn.db!.collection<{ _id: string; s: string }>('docs');
    await docs.insertMany([{ _id: 'a', s: 'x' }, { _id: 'b', s: 'y' }]);
    expect(await explainFind(conn, 'docs', { _id: 'b', s: 'y' })).toMatchObject({ indexed: true });
    expect(await docs.findOne({ _id: 'b', s: 'y' })).toEqual({ _id: 'b', s: 'y' });
    expect(idTwins()).toBe(0);

    // Another FerretDB (here any live process that is not this checkout's binary) named by a state's pid file.
    const other = spawn('sleep', ['60'], { stdio: 'ignore' });
    const otherState = mkdtempSync(path.join(tmpdir(), 'taskyard-other-ferretdb-'));
    try {
      mkdirSync(path.join(otherState, 'run'));
      writeFileSync(path.join(otherState, 'run/ferretdb.pid'), String(other.pid));
      execFileSync('bash', [path.join(ROOT, 'deploy/local/servers.sh'), 'gin-indexes'], { env: { ...env, TASKYARD_STATE: otherState }, stdio: 'ignore' });
      expect(idTwins()).toBe(1);
    } finally {
      other.kill();
      rmSync(otherState, { recursive: true, force: true });
    }
    servers('gin-indexes');
    expect(idTwins()).toBe(0);
  } finally {
    await conn.close();
  }
});

test('a checkout whose FerretDB is not built yet says so and starts nothing', async () => {
  const bare = mkdtempSync(path.join(tmpdir(), 'taskyard-unbuilt-'));
  const pgPort = String(await freePort());
  try {
    const run = (): string =>
      execFileSync('bash', [path.join(ROOT, 'deploy/local/servers.sh'), 'database-start'], {
        env: { ...env, TASKYARD_STATE: path.join(bare, 'state'), TASKYARD_CACHE: path.join(bare, 'cache'), TASKYARD_PG_PORT: pgPort },
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'pipe'],
      });
    expect(run).toThrow(/FerretDB is not built for this checkout .*run deploy\/local\/install\.sh/);
    expect(existsSync(path.join(bare, 'state/pg'))).toBe(false);
  } finally {
    rmSync(bare, { recursive: true, force: true });
  }
});
