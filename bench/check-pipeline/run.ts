import { parseArgs } from 'node:util';
import mongoose from 'mongoose';
import { schoolModels, seedDataset, submittedCheck } from '@taskyard/school-data';
import { startProcessStack, testServers, waitFor } from '@taskyard/testing';
import { measureDatabase } from '../ceilings/database';
import { diffWrites, readWriteCounts, totalWrites } from '../lifecycle/db-write-counter';
import { rate, round, runCount, runFor } from '../lib/rate';
import { printTable, writeResults } from '../lib/report';

/**
 * Seed 004's check pipeline end to end: completed checks (about 24 KB compressed, one in 10 broken) submitted
 * as `check-pipeline` workflows over HTTP to the product running as processes (one worker of each step),
 * timed until every check's state is complete or processing-failure. Beside it, the database's own
 * insert ceiling (flat documents, and documents the size of a received check) measured in the same run.
 *
 *   npx tsx bench/check-pipeline/run.ts [--checks 300] [--concurrency 16] [--replicas 1]
 */
const { values } = parseArgs({ options: { checks: { type: 'string' }, concurrency: { type: 'string' }, replicas: { type: 'string' } } });
const CHECKS = Number(values.checks ?? 300);
const CONCURRENCY = Number(values.concurrency ?? 16);
const REPLICAS = Number(values.replicas ?? 1);

/** Inserts of documents shaped like a received check (its ~32 KB of base64), 16 clients. */
async function receivedCheckInsertCeiling(mongoUrl: string, archive: string): Promise<number> {
  const conn = await mongoose.createConnection(mongoUrl, { dbName: `bench_checks_${process.pid}`, maxPoolSize: 16 }).asPromise();
  try {
    const coll = conn.collection('received_checks');
    await coll.insertOne({ _id: 'warm', checkData: archive } as never);
    let n = 0;
    const r = await runFor(16, 3000, async () => {
      await coll.insertOne({ _id: `s:${n++}`, schoolUUID: 's', checkCode: String(n), version: 2, checkData: archive, dateReceived: new Date(), receivedBy: 't' } as never);
      return 1;
    });
    return r.perSecond;
  } finally {
    await conn.dropDatabase().catch(() => undefined);
    await conn.close();
  }
}

async function main(): Promise<void> {
  const servers = await testServers('bench-check-pipeline');
  const db = await mongoose.createConnection(servers.mongoUrl).asPromise();
  const workers = Object.fromEntries(['check-receiver', 'check-validator', 'check-marker', 'check-notifier'].map((w) => [w, REPLICAS]));
  const stack = await startProcessStack({ servers, workers });
  try {
    await seedDataset(db, { schools: 1, pupilsPerSchool: CHECKS, weeks: 0, assessmentsPerBatch: 0, checksPerPupil: 1, invalidChecksEvery: 10 });
    const checks = await schoolModels(db).PupilCheck.find().lean();
    const messages = checks.map((c) => submittedCheck(c));
    const key = stack.keys.find((k) => k.role === 'user')!.key;
    const dbName = new URL(servers.mongoUrl).pathname.slice(1);
    const before = readWriteCounts(dbName);
    const started = performance.now();
    const submitRate = await runCount(messages.length, CONCURRENCY, async (i) => {
      const res = await fetch(`${stack.gatewayUrl}/v1/workflows`, {
        method: 'POST',
        headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
        body: JSON.stringify({ workflow: 'check-pipeline', params: messages[i] }),
      });
      if (res.status !== 202) throw new Error(`submit answered ${res.status}: ${await res.text()}`);
    });
    // Bench only: counting the school's check states is a scan of a collection of CHECKS documents.
    const done = (): Promise<number> => schoolModels(db).PupilCheck.countDocuments({ state: { $in: ['complete', 'processing-failure'] } });
    await waitFor('every check processed', async () => (await done()) === checks.length, { timeoutMs: 30 * 60_000, intervalMs: 500 });
    const pipeline = rate(checks.length, started);
    await new Promise((r) => setTimeout(r, 12_000)); // the last writes reach PostgreSQL's counters first
    const after = readWriteCounts(dbName);
    const writes = before && after ? diffWrites(before, after) : undefined;
    const failed = await schoolModels(db).PupilCheck.countDocuments({ state: 'processing-failure' });
    const flat = await measureDatabase(servers.mongoUrl, 3000, 500);
    const sized = await receivedCheckInsertCeiling(servers.mongoUrl, messages[0].archive);
    const result = {
      checks: checks.length,
      brokenChecks: failed,
      compressedCheckBytes: Buffer.from(messages[0].archive, 'base64').length,
      workerReplicasPerStep: REPLICAS,
      submitConcurrency: CONCURRENCY,
      submitsPerSec: submitRate.perSecond,
      pipelineChecksPerSec: pipeline.perSecond,
      pipelineSeconds: pipeline.seconds,
      insertCeilingFlatPerSec16: flat.insertsPerSec.c16.perSecond,
      insertCeilingReceivedCheckPerSec16: sized,
      databaseWritesPerCheck: writes ? round(totalWrites(writes) / checks.length, 1) : undefined,
      writesByCollection: writes,
    };
    printTable('Check pipeline (seed 004): checks through receive, validate, mark, notify', [
      { measure: 'checks through the whole pipeline /s', value: result.pipelineChecksPerSec },
      { measure: 'workflow submits /s (HTTP)', value: result.submitsPerSec },
      { measure: 'database inserts /s, flat documents, 16 clients', value: result.insertCeilingFlatPerSec16 },
      { measure: 'database inserts /s, received-check documents, 16 clients', value: result.insertCeilingReceivedCheckPerSec16 },
      { measure: 'database writes per check (PostgreSQL counts)', value: result.databaseWritesPerCheck ?? 'n/a' },
      { measure: 'checks (broken ones)', value: `${result.checks} (${result.brokenChecks})` },
    ]);
    writeResults('check-pipeline', result);
    console.log(JSON.stringify(result));
  } finally {
    await stack.stop(5000);
    await db.close();
    await servers.cleanup();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
