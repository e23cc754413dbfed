import { randomBytes } from 'node:crypto';
import mongoose, { Schema, type Connection } from 'mongoose';
import { runFor, type Rate } from '../lib/rate';

export interface ByClients {
  c1: Rate;
  c16: Rate;
}

export interface DatabaseCeilings {
  database: string;
  /** How "N clients" is realised, so ratios against it compare like with like. */
  clients: string;
  insertsPerSec: ByClients;
  conditionalUpdatesPerSec: ByClients;
  /** Unit is documents streamed from a cursor, not queries. */
  cursorReadDocsPerSec: ByClients;
  readCollectionDocs: number;
}

const POOL = 16;
// FerretDB hangs on write commands of ~64 statements or more (SPEC): seed in batches well below that.
const BATCH = 32;

const flatDoc = (i: number): { a: string; b: number; c: boolean; d: Date } => ({ a: `row-${i}`, b: i, c: i % 2 === 0, d: new Date() });

async function atOneAnd16(ms: number, op: (client: number, until: number) => Promise<number>): Promise<ByClients> {
  return { c1: await runFor(1, ms, op), c16: await runFor(16, ms, op) };
}

async function measureOn(conn: Connection, ms: number, readDocs: number): Promise<Omit<DatabaseCeilings, 'database' | 'clients'>> {
  const flat = new Schema({ a: String, b: Number, c: Boolean, d: Date }, { versionKey: false });
  const Inserted = conn.model('Inserted', flat, 'inserted');
  const Read = conn.model('Read', flat, 'read');
  const Counter = conn.model('Counter', new Schema({ _id: String, n: Number }, { versionKey: false }), 'counters');
  // Create collections up front so the first timed write does not pay for the table's creation.
  await Promise.all([Inserted.createCollection(), Read.createCollection(), Counter.createCollection()]);
  // Concurrent pings open all 16 sockets now, so the 16-client runs do not time connection set-up.
  await Promise.all(Array.from({ length: POOL }, () => conn.db!.admin().ping()));

  // insertOne through the model's collection, as the product's slots and leases insert.
  let seq = 0;
  const insertsPerSec = await atOneAnd16(ms, async () => {
    await Inserted.collection.insertOne(flatDoc(seq++));
    return 1;
  });

  // One counter per client, so 16 clients never touch the same document (FerretDB races them).
  await Counter.collection.insertMany(Array.from({ length: POOL }, (_, i) => ({ _id: `c${i}`, n: 0 }) as never));
  const conditionalUpdatesPerSec = await atOneAnd16(ms, async (client) => {
    const res = await Counter.updateOne({ _id: `c${client}`, n: { $lt: 1e12 } }, { $inc: { n: 1 } });
    return res.modifiedCount;
  });

  for (let i = 0; i < readDocs; i += BATCH) {
    await Read.collection.insertMany(Array.from({ length: Math.min(BATCH, readDocs - i) }, (_, k) => flatDoc(i + k)));
  }
  // Each client streams the whole collection again and again; lean, so mongoose does not hydrate documents.
  const cursorReadDocsPerSec = await atOneAnd16(ms, async (_client, until) => {
    let docs = 0;
    for await (const doc of Read.find({}).lean().cursor()) {
      if (doc) docs++;
      if (performance.now() >= until) break;
    }
    return docs;
  });
  return { insertsPerSec, conditionalUpdatesPerSec, cursorReadDocsPerSec, readCollectionDocs: readDocs };
}

/** Measures a scratch database on the given server and drops it afterwards. */
export async function measureDatabase(mongoUrl: string, ms = 3000, readDocs = 2000): Promise<DatabaseCeilings> {
  const database = `bench_ceilings_${randomBytes(4).toString('hex')}`;
  const conn = await mongoose
    .createConnection(mongoUrl, { dbName: database, maxPoolSize: POOL, minPoolSize: POOL, serverSelectionTimeoutMS: 10_000 })
    .asPromise();
  try {
    const measured = await measureOn(conn, ms, readDocs);
    return { database, clients: `one mongoose connection with a pool of ${POOL} sockets; N clients = N concurrent operation loops`, ...measured };
  } finally {
    try {
      await conn.dropDatabase();
    } finally {
      await conn.close();
    }
  }
}
