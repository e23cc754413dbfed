import mongoose from 'mongoose';
import { loadServerUrls } from '@taskyard/config';
import { createLogger } from '@taskyard/logging';
import { backfillListKeys, ensureTaskIndexes, taskModels } from '@taskyard/tasks';

/**
 * `pnpm --filter @taskyard/status backfill-list-keys`: gives tasks stored before list keys existed their
 * keys (libs/tasks list-keys-backfill.ts). Safe to run while the services run, to stop and run again.
 */
async function main(): Promise<void> {
  const logger = createLogger('backfill-list-keys', process.env);
  const conn = await mongoose.createConnection(loadServerUrls(process.env).mongoUrl).asPromise();
  try {
    const models = taskModels(conn);
    await ensureTaskIndexes(models);
    const totals = await backfillListKeys(models, { onBatch: (t) => logger.info(t, 'batch done') });
    logger.info(totals, 'list keys backfilled');
  } finally {
    await conn.close();
  }
}

void main().catch((err: unknown) => {
  process.stderr.write(`${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});
