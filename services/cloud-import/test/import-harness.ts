import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Connection } from 'mongoose';
import { parse } from 'csv-parse/sync';
import type { CloudImportParams } from '@taskyard/contracts';
import { directJobContext, type DirectRun } from '@taskyard/school-data/src/testing/direct-job-context';
import { startJobTestEnv } from '@taskyard/school-data/src/testing/job-test-env';
import { uploadKey, type ObjectStore } from '@taskyard/storage';
import type { TestServers } from '@taskyard/testing';
import { createCloudImportWorker } from '../src/cloud-import-handler';
import type { ImportSummary } from '../src/import-summary';

/** One import test file's real servers (FerretDB, MinIO) and the cloud-import handler run on them. */
export interface ImportHarness {
  servers: TestServers;
  conn: Connection;
  store: ObjectStore;
  workRoot: string;
  /** Uploads the zip as the gateway would and runs the handler on it: its result, or the error if it threw. */
  runImport(zip: Buffer, attempt?: number): Promise<{ run: DirectRun<CloudImportParams>; key: string; result?: Record<string, unknown>; error?: unknown }>;
  /** An artifact's text. */
  text(run: DirectRun<CloudImportParams>, name: string): Promise<string>;
  summaryOf(run: DirectRun<CloudImportParams>): Promise<ImportSummary>;
  /** The rows of a rejected-rows file as `{row, column, reason}` (none when the file is absent). */
  rejectedOf(run: DirectRun<CloudImportParams>, file: string): Promise<{ row: number; column: string; reason: string }[]>;
  close(): Promise<void>;
}

export async function startImportHarness(label: string): Promise<ImportHarness> {
  const env = await startJobTestEnv(label);
  const { servers, conn, store } = env;
  const workRoot = mkdtempSync(join(tmpdir(), `${label}-`));
  const worker = createCloudImportWorker({ workRoot, lease: { waitMs: 300, staleMs: 60_000, pollMs: 50 } });
  let n = 0;
  const h: ImportHarness = {
    servers,
    conn,
    store,
    workRoot,
    async runImport(zip, attempt = 1) {
      const taskId = `task-${++n}`;
      const key = uploadKey(taskId, 'data.zip');
      await store.put(key, zip, 'application/zip');
      const run = directJobContext<CloudImportParams>({ type: 'cloud-import', params: { uploadKey: key, fileName: 'data.zip' }, db: conn, store, taskId, attempt });
      try {
        const outcome = await worker.handler(run.ctx);
        return { run, key, result: outcome?.result };
      } catch (error) {
        return { run, key, error };
      }
    },
    text: async (run, name) => (await store.getBuffer(run.artifacts.find((a) => a.name === name)!.key)).toString(),
    summaryOf: async (run) => JSON.parse(await h.text(run, 'summary.json')) as ImportSummary,
    async rejectedOf(run, file) {
      if (!run.artifacts.some((a) => a.name === `rejected-${file}`)) return [];
      const rows = parse(await h.text(run, `rejected-${file}`), { columns: true }) as { row: string; column: string; reason: string }[];
      return rows.map((r) => ({ ...r, row: Number(r.row) }));
    },
    async close() {
      rmSync(workRoot, { recursive: true, force: true });
      await env.close();
    },
  };
  return h;
}
