import { performance } from 'node:perf_hooks';
import mongoose, { type Connection } from 'mongoose';
import { loadServerUrls } from '@taskyard/config';
import { COLLECTIONS, generateSchool, seedDataset, type SpellingWeekRecord, type SpellingTestRecord } from '@taskyard/school-data';
import { printTable, writeResults } from '../lib/report';
import { rate, type Rate } from '../lib/rate';

/**
 * Measures once the two shapes a pupil's weekly spelling test can take in the database (SPEC: "the data
 * model decides the speed"): (packed) one flat document per pupil-week with the word results packed
 * into a string, as libs/school-data stores it, against (subdocs) the same week with one subdocument
 * per word. Writes bench/results/school-data-shapes.json. Usage: tsx bench/school-data/shapes.ts [pupils] [weeks]
 */
const DB = 'bench_shapes';
const SUBDOCS = 'shape_subdocs';

interface WordResult {
  word: string;
  correct: boolean;
}
type SubdocWeek = Omit<SpellingWeekRecord, 'results'> & { words: WordResult[] };

function toSubdocs(week: SpellingWeekRecord, test: SpellingTestRecord): SubdocWeek {
  const { results, ...rest } = week;
  return { ...rest, words: test.words.map((word, i) => ({ word, correct: results[i] === '1' })) };
}

async function writeSubdocShape(conn: Connection, pupils: number, weeks: number): Promise<Rate> {
  const tests = new Map<string, SpellingTestRecord>();
  const coll = conn.collection<SubdocWeek>(SUBDOCS);
  await coll.createIndex({ schoolId: 1, week: 1 });
  let batch: SubdocWeek[] = [];
  let count = 0;
  const start = performance.now();
  for (const item of generateSchool(1, { schools: 1, pupilsPerSchool: pupils, weeks, wordsPerTest: 20, assessmentsPerBatch: 0, classSize: 30, firstWeek: '2024-09-02', seed: 1 })) {
    if (item.kind === 'spellingTest') tests.set(item.doc._id, item.doc);
    if (item.kind !== 'spellingWeek') continue;
    batch.push(toSubdocs(item.doc, tests.get(item.doc.testId)!));
    if (batch.length === 1000) {
      await coll.insertMany(batch as never[], { ordered: false });
      count += batch.length;
      batch = [];
    }
  }
  if (batch.length) await coll.insertMany(batch as never[], { ordered: false });
  return rate(count + batch.length, start);
}

async function readAll(conn: Connection, collection: string): Promise<Rate & { bytes: number }> {
  const start = performance.now();
  let docs = 0;
  let bytes = 0;
  // raw: the driver hands back BSON buffers, so the size is what crossed the wire, at no parse cost here.
  for await (const raw of conn.db!.collection(collection).find({ schoolId: 'sch0001' }, { raw: true, batchSize: 1000 })) {
    docs++;
    bytes += (raw as unknown as Buffer).length;
  }
  return { ...rate(docs, start), bytes };
}

async function main(): Promise<void> {
  const pupils = Number(process.argv[2] ?? 1000);
  const weeks = Number(process.argv[3] ?? 40);
  const url = new URL(loadServerUrls().mongoUrl);
  url.pathname = `/${DB}`;
  const conn = await mongoose.createConnection(url.toString()).asPromise();
  try {
    await conn.dropDatabase();
    const t0 = performance.now();
    const counts = await seedDataset(conn, { schools: 1, pupilsPerSchool: pupils, weeks, assessmentsPerBatch: 0 });
    const packedWrite = rate(counts.spellingWeek.inserted, t0);
    const subdocWrite = await writeSubdocShape(conn, pupils, weeks);
    const packedRead = await readAll(conn, COLLECTIONS.spellingWeeks);
    const subdocRead = await readAll(conn, SUBDOCS);
    const rows = [
      { shape: 'packed (1 flat doc per pupil-week)', docs: packedRead.count, 'insert docs/s': packedWrite.perSecond, 'read docs/s': packedRead.perSecond, 'bytes/doc': Math.round(packedRead.bytes / packedRead.count), 'read s': packedRead.seconds },
      { shape: 'subdocs (20 word subdocs per pupil-week)', docs: subdocRead.count, 'insert docs/s': subdocWrite.perSecond, 'read docs/s': subdocRead.perSecond, 'bytes/doc': Math.round(subdocRead.bytes / subdocRead.count), 'read s': subdocRead.seconds },
    ];
    printTable(`Spelling week shapes: ${pupils} pupils x ${weeks} weeks x 20 words`, rows);
    const file = writeResults('school-data-shapes', { measuredAt: new Date().toISOString(), pupils, weeks, rows });
    console.log(JSON.stringify({ file, rows }));
  } finally {
    await conn.dropDatabase().catch(() => undefined);
    await conn.close();
  }
}

void main();
