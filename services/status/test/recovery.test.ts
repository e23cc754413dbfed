import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { diagnosticWorker } from '@taskyard/diagnostic/src/diagnostic-handler';
import { serverEnv } from '@taskyard/testing';
import { startHarness, type Harness } from './lifecycle-harness';

const LIMITS = { timeoutMs: 30_000, backoffMs: [1000], maxAttempts: 3, heartbeatWindowMs: 3000 };
let h: Harness;

function spawnDiagnosticWorker(): ChildProcess {
  return spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    cwd: path.resolve(__dirname, '../../diagnostic'),
    env: { ...process.env, ...serverEnv(h.servers), ENABLE_DIAGNOSTIC: 'true', TASKYARD_LIMITS: JSON.stringify({ diagnostic: LIMITS }), PORT: '0', LOG_LEVEL: 'warn' },
    stdio: 'ignore',
  });
}

beforeAll(async () => {
  h = await startHarness('recovery', LIMITS, { statusReplicas: 2 });
});
afterAll(async () => h?.close());

test('a worker killed with SIGKILL mid-task: the task still finishes, once', async () => {
  const child = spawnDiagnosticWorker();
  try {
    const id = await h.submit('diagnostic', { sleepMs: 4000, progressSteps: 4 });
    await h.waitForStatus(id, ['running'], 30_000);
    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));
    await h.startWorker(diagnosticWorker);
    const t = await h.waitForStatus(id, ['succeeded'], 30_000);
    expect(t.progress).toBe(100);
    // Either the broker's redelivery (same attempt) or the sweeper's recovery (next attempt) ran it.
    expect(t.attempt).toBeLessThanOrEqual(2);
    // Its one end is its outcome (a unique insert); its document is never written terminal.
    expect(await h.models.Outcome.countDocuments({ _id: id, status: 'succeeded' })).toBe(1);
    expect(await h.models.Task.countDocuments({ _id: id, status: { $in: ['succeeded', 'failed', 'cancelled'] } })).toBe(0);
  } finally {
    child.kill('SIGKILL');
  }
});

test('two status replicas under load, one stopped midway: no task loses an event or moves backwards', async () => {
  if (h.workers.length === 0) await h.startWorker(diagnosticWorker);
  const ids = await Promise.all(Array.from({ length: 60 }, () => h.submit('diagnostic', { progressSteps: 3, sleepMs: 150 })));
  await new Promise((r) => setTimeout(r, 300));
  await h.status[0].stop();
  const done = await Promise.all(ids.map((id) => h.waitForStatus(id, ['succeeded'], 60_000)));
  for (const t of done) {
    expect(t.progress).toBe(100);
    expect(t.logs.map((l) => l.message)).toEqual(['step 1 of 3', 'step 2 of 3', 'step 3 of 3']);
  }
});
