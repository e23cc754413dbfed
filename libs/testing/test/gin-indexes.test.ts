import { execFileSync } from 'node:child_process';
import mongoose, { type Connection } from 'mongoose';
import { explainFind, testServers, type TestServers } from '../src';

/**
 * The local database's indexes (deploy/local/ferretdb/gin-indexes.sql): each index a model declares is created
 * by FerretDB as a btree, which no FerretDB filter can use; the event trigger makes it a GIN that can. A
 * non-unique btree is replaced by the GIN under its own name (it served nothing and cost an entry per write),
 * a unique one keeps its btree (the constraint) beside a GIN twin. FerretDB's own index commands must not
 * notice: createIndexes, listIndexes and dropIndexes through mongoose as on MongoDB.
 */
let servers: TestServers;
let conn: Connection;

interface Probe {
  _id: string;
  f?: string;
  u?: string;
  a?: number;
  b?: number;
}
const schema = new mongoose.Schema<Probe>({ _id: String, f: String, u: String, a: Number, b: Number }, { versionKey: false, collection: 'probes', autoIndex: false });
schema.index({ f: 1 }, { sparse: true });
schema.index({ u: 1 }, { unique: true, sparse: true });
schema.index({ a: 1, b: 1 });
let Model: mongoose.Model<Probe>;

/** The PostgreSQL indexes of the collection's table, by the field each covers: access method, unique, partial, options. */
function pgIndexes(collection: string): Array<{ name: string; field: string; am: string; unique: boolean; partial: boolean; options: string }> {
  const schemaName = new URL(servers.mongoUrl).pathname.slice(1);
  const sql = `select c.relname, k.expr, a.amname, i.indisunique, i.indpred is not null, coalesce(array_to_string(c.reloptions, ' '), '')
    from pg_index i join pg_class c on c.oid = i.indexrelid join pg_am a on a.oid = c.relam join pg_class t on t.oid = i.indrelid
    join pg_namespace n on n.oid = t.relnamespace, generate_series(1, i.indnkeyatts) g, lateral (select pg_get_indexdef(i.indexrelid, g, true) as expr) k
    where n.nspname = '${schemaName.replace(/'/g, '')}' and t.relname like '${collection}\\_%' order by 2, 3, 1`;
  const out = execFileSync('psql', ['-h', '127.0.0.1', '-p', process.env.TASKYARD_PG_PORT ?? '54329', '-U', 'taskyard', '-d', 'taskyard', '-tA', '-F', '|', '-c', sql], { encoding: 'utf8' });
  return out.trim().split('\n').filter(Boolean).map((line) => {
    const [name, expr, am, unique, partial, options] = line.split('|');
    return { name, field: /'([^']+)'/.exec(expr)?.[1] ?? expr, am, unique: unique === 't', partial: partial === 't', options };
  });
}

/**
 * Whether `_id` has a GIN twin depends on the FerretDB that serves the shared database (none with this checkout's,
 * which filters `_id` by equality; one while an older FerretDB runs): database-settings.test.ts checks both.
 */
const summary = (collection: string): string[] =>
  pgIndexes(collection)
    .map((i) => `${i.field} ${i.am}${i.unique ? ' unique' : ''}${i.partial ? ' partial' : ''}${i.options ? ` ${i.options}` : ''}`)
    .filter((line) => !line.startsWith('_id gin'));

beforeAll(async () => {
  servers = await testServers('gin-indexes');
  conn = await mongoose.createConnection(servers.mongoUrl, { serverSelectionTimeoutMS: 10_000 }).asPromise();
  Model = conn.model('Probe', schema);
  await Model.createCollection();
  await Model.createIndexes();
  await Model.insertMany(Array.from({ length: 2000 }, (_, i) => ({ _id: `p${i}`, f: `f${i % 200}`, ...(i % 2 ? { u: `u${i}` } : {}), a: i % 100, b: i })));
});
afterAll(async () => {
  await conn?.close();
  await servers?.cleanup();
});

test('a non-unique index becomes a GIN under its own name; a unique one keeps its btree (partial: no entry without the field, but on _id) beside a GIN (_id: see summary); each GIN partial, without the pending list', () => {
  expect(summary('probes')).toEqual([
    '_id btree unique',
    'a btree',
    'a gin partial fastupdate=off',
    'b btree',
    'b gin partial fastupdate=off',
    'f gin partial fastupdate=off',
    'u btree unique partial',
    'u gin partial fastupdate=off',
  ]);
});

test('listIndexes answers what the model declared', async () => {
  const listed = (await Model.listIndexes()).map((i) => ({ name: i.name, key: i.key, unique: Boolean(i.unique) }));
  expect(listed.sort((x, y) => x.name.localeCompare(y.name))).toEqual([
    { name: '_id_', key: { _id: 1 }, unique: false },
    { name: 'a_1_b_1', key: { a: 1, b: 1 }, unique: false },
    { name: 'f_1', key: { f: 1 }, unique: false },
    { name: 'u_1', key: { u: 1 }, unique: true },
  ]);
});

test.each([
  ['the replaced index', { f: 'f3' }],
  ['a unique index', { u: 'u7' }],
  ['a compound index by its first field', { a: 4 }],
  ['_id', { _id: 'p9' }],
])('a filter on %s is read through an index', async (_what, filter) => {
  expect(await Model.countDocuments(filter)).toBeGreaterThan(0);
  expect((await explainFind(conn, 'probes', filter)).indexed).toBe(true);
});

test('a unique index still refuses a duplicate, and documents without the field do not collide', async () => {
  await expect(Model.create({ _id: 'dup', u: 'u7' })).rejects.toMatchObject({ code: 11000 });
  await Model.create([{ _id: 'no-u-1' }, { _id: 'no-u-2' }]);
  expect(await Model.countDocuments({ u: 'u7' })).toBe(1);
});

test('dropIndexes drops the replaced index, and creating it again brings it back', async () => {
  await Model.collection.dropIndex('f_1');
  expect((await Model.listIndexes()).map((i) => i.name)).not.toContain('f_1');
  expect(summary('probes').filter((s) => s.startsWith('f '))).toEqual([]);
  expect((await explainFind(conn, 'probes', { f: 'f3' })).indexed).toBe(false);
  await Model.collection.createIndex({ f: 1 }, { name: 'f_1', sparse: true });
  expect((await Model.listIndexes()).map((i) => i.name)).toContain('f_1');
  expect(summary('probes').filter((s) => s.startsWith('f '))).toEqual(['f gin partial fastupdate=off']);
  const plan = await explainFind(conn, 'probes', { f: 'f3' });
  expect({ nodes: plan.nodes, indexed: plan.indexed }).toEqual({ nodes: plan.nodes, indexed: true });
});

test("dropIndexes drops a unique index's btree and leaves the other indexes", async () => {
  await Model.collection.dropIndex('u_1');
  expect((await Model.listIndexes()).map((i) => i.name).sort()).toEqual(['_id_', 'a_1_b_1', 'f_1']);
  expect(summary('probes').filter((s) => s.startsWith('u ') && s.includes('btree'))).toEqual([]);
});
