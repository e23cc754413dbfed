import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import AdmZip from 'adm-zip';
import mongoose from 'mongoose';
import { createCloudImportWorker } from '@taskyard/cloud-import/src/cloud-import-handler';
import { loadServerUrls } from '@taskyard/config';
import type { CloudImportParams } from '@taskyard/contracts';
import { COLLECTIONS, ensureSchoolIndexes } from '@taskyard/school-data';
import { directJobContext } from '@taskyard/school-data/src/testing/direct-job-context';
import { ObjectStore, uploadKey } from '@taskyard/storage';
import { peakRssMb } from '../lib/child-run';

/**
 * One measured step, in its own process (prints one JSON line with its wall and own CPU time in ms):
 *   import <zip>          the cloud-import handler on the zip (uploaded first, not timed)
 *   bare <fromDb> <toDb>  insertMany, 1,000 at a time, of exactly the documents an import wrote to fromDb
 *   admzip <zip>          adm-zip extracting the same zip (for its peak RSS)
 */
const [mode, a, b] = process.argv.slice(2);
const urlFor = (db: string): string => {
  const url = new URL(loadServerUrls().mongoUrl);
  url.pathname = `/${db}`;
  return url.toString();
};

/** This process's CPU time (user + system) since `from`, in ms: the step's own work, whatever the machine's load. */
function cpuMsSince(from: NodeJS.CpuUsage): number {
  const { user, system } = process.cpuUsage(from);
  return Math.round((user + system) / 1000);
}

async function runImport(zipPath: string): Promise<Record<string, unknown>> {
  const servers = loadServerUrls();
  const conn = await mongoose.createConnection(servers.mongoUrl).asPromise();
  const store = new ObjectStore(servers.s3);
  const taskId = `bench-${Date.now()}`;
  const key = uploadKey(taskId, 'bench.zip');
  await store.put(key, readFileSync(zipPath), 'application/zip');
  const workRoot = mkdtempSync(join(tmpdir(), 'bench-import-'));
  const run = directJobContext<CloudImportParams>({ type: 'cloud-import', params: { uploadKey: key, fileName: 'bench.zip' }, db: conn, store, taskId });
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  const outcome = await createCloudImportWorker({ workRoot }).handler(run.ctx);
  const wallMs = Math.round(performance.now() - t0);
  const cpuMs = cpuMsSince(cpu0);
  const summary = JSON.parse((await store.getBuffer(run.artifacts.find((x) => x.name === 'summary.json')!.key)).toString()) as { files: Record<string, { documents: Record<string, number> }> };
  await store.deleteKeys(run.artifacts.map((x) => x.key));
  store.close();
  await conn.close();
  rmSync(workRoot, { recursive: true, force: true });
  const documents = Object.values(summary.files).reduce((acc, f) => {
    for (const [k, v] of Object.entries(f.documents)) acc[k] = (acc[k] ?? 0) + v;
    return acc;
  }, {} as Record<string, number>);
  // Each log line with the ms since the start: where the wall time went (fetch, checks, each file).
  const start = Date.now() - wallMs;
  const logs = run.logs.map((l) => `+${Date.parse(l.at) - start} ms ${l.message}`);
  return { wallMs, cpuMs, result: (outcome as { result: unknown }).result, documents, logs };
}

async function bare(fromDb: string, toDb: string): Promise<Record<string, unknown>> {
  const from = await mongoose.createConnection(urlFor(fromDb)).asPromise();
  const to = await mongoose.createConnection(urlFor(toDb)).asPromise();
  await to.dropDatabase();
  await ensureSchoolIndexes(to);
  const all: [string, object[]][] = [];
  for (const name of Object.values(COLLECTIONS)) all.push([name, await from.db!.collection(name).find().toArray()]);
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  let docs = 0;
  for (const [name, list] of all) {
    for (let i = 0; i < list.length; i += 1000) {
      const batch = list.slice(i, i + 1000);
      await to.db!.collection(name).insertMany(batch as never[], { ordered: false });
      docs += batch.length;
    }
  }
  const wallMs = Math.round(performance.now() - t0);
  const cpuMs = cpuMsSince(cpu0);
  await from.close();
  await to.dropDatabase();
  await to.close();
  return { wallMs, cpuMs, docs };
}

function admZip(zipPath: string): Record<string, unknown> {
  const dir = mkdtempSync(join(tmpdir(), 'bench-admzip-'));
  const t0 = performance.now();
  new AdmZip(zipPath).extractAllTo(dir, true);
  const wallMs = Math.round(performance.now() - t0);
  rmSync(dir, { recursive: true, force: true });
  return { wallMs };
}

async function main(): Promise<void> {
  const result = mode === 'import' ? await runImport(a) : mode === 'bare' ? await bare(a, b) : admZip(a);
  console.log(JSON.stringify({ mode, ...result, peakRssMb: peakRssMb() }));
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
