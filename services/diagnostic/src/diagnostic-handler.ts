import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import type { DiagnosticParams } from '@taskyard/contracts';
import { RetriableJobError, defineWorker } from '@taskyard/worker';

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason);
    const timer = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => {
      clearTimeout(timer);
      reject(signal.reason);
    }, { once: true });
  });
}

/** `artifactBytes` of random data, streamed in 64 KiB chunks so large sizes stay in bounded memory. */
function randomStream(total: number): Readable {
  let left = total;
  return new Readable({
    read() {
      if (left <= 0) return void this.push(null);
      const n = Math.min(left, 64 * 1024);
      left -= n;
      this.push(randomBytes(n));
    },
  });
}

/** Slices of busy work between which the job yields, so heartbeats and an abort still get through. */
const CPU_SLICE_MS = 20;

/**
 * Spends `ms` of CPU time computing (not sleeping): a CPU-bound job. Counted slice by slice (nothing else
 * of this process runs inside a slice), so several such jobs in one process each get their own share.
 */
export async function burnCpu(ms: number, signal: AbortSignal): Promise<number> {
  let spentUs = 0;
  let x = 0;
  while (spentUs < ms * 1000) {
    const before = process.cpuUsage();
    const sliceEnd = performance.now() + Math.min(CPU_SLICE_MS, ms - spentUs / 1000);
    while (performance.now() < sliceEnd) x = (x * 1103515245 + 12345) % 2147483648;
    const used = process.cpuUsage(before);
    spentUs += used.user + used.system;
    await new Promise((r) => setImmediate(r));
    if (signal.aborted) throw signal.reason;
  }
  return x;
}

/** What the job returns: its attempt, and `parts` items (each its sleepMs) for a workflow's fan-out (diagnostic-fan-out) to make one child per part. */
export function diagnosticResult(attempt: number, sleepMs: number, parts: number | undefined): Record<string, unknown> {
  return parts === undefined ? { attempt } : { attempt, parts: Array<number>(parts).fill(sleepMs) };
}

/** The platform's own job, for tests and benchmarks: sleeps, fails, hangs, writes, reports progress. */
export const diagnosticWorker = defineWorker<DiagnosticParams>({
  type: 'diagnostic',
  async handler({ task, signal, progress, log, artifacts }) {
    const { sleepMs = 0, failAttempts = 0, hang = false, artifactBytes, progressSteps = 0, cpuMs = 0, parts } = task.params;
    if (task.attempt <= failAttempts) {
      log(`failing attempt ${task.attempt} of the first ${failAttempts} on purpose`, 'warn');
      throw new RetriableJobError('diagnostic-failure', `diagnostic failure on attempt ${task.attempt}`);
    }
    const steps = Math.max(progressSteps, 1);
    for (let i = 1; i <= progressSteps; i++) {
      await sleep(sleepMs / steps, signal);
      progress((100 * i) / progressSteps);
      log(`step ${i} of ${progressSteps}`);
    }
    if (progressSteps === 0 && sleepMs > 0) await sleep(sleepMs, signal);
    if (cpuMs > 0) await burnCpu(cpuMs, signal);
    if (hang) await new Promise<never>((_, reject) => signal.addEventListener('abort', () => reject(signal.reason), { once: true }));
    if (artifactBytes !== undefined) await artifacts.write('diagnostic.bin', randomStream(artifactBytes), 'application/octet-stream');
    return { result: diagnosticResult(task.attempt, sleepMs, parts) };
  },
});
