import { readFileSync } from 'node:fs';

/** The run-queue wait of one thread from its schedstat line (`<on cpu ns> <waiting ns> <timeslices>`). */
export function waitNsOf(schedstat: string): number | undefined {
  const waited = Number(schedstat.trim().split(/\s+/)[1]);
  return Number.isFinite(waited) ? waited : undefined;
}

/** Nanoseconds a process's main thread has waited on a run queue for a CPU; undefined where /proc does not tell (another OS, the process gone). */
export function mainThreadWaitNs(pid: number): number | undefined {
  try {
    return waitNsOf(readFileSync(`/proc/${pid}/task/${pid}/schedstat`, 'utf8'));
  } catch {
    return undefined;
  }
}

/**
 * A process's own time since a start: wall time less the time its main thread waited for a CPU. On this
 * machine (2 cores, load 10-40) a service start of 1-2 CPU-s takes 6 to 60+ s of wall time, most of it
 * waiting (a gateway start at load 22: 6.0 s wall, its main thread 1.0 s on a CPU and 4.0 s waiting);
 * a deadline on wall time fails with the load, one on own time only when the process itself is slow or
 * stuck (blocked on I/O or on another thread, it still counts). The main thread only: Node's other
 * threads (compiler, GC, the module loader's) wait side by side with it, and summing them counted more
 * waiting than wall time (35.7 s in 22.7 s), so no deadline would ever end.
 */
export class OwnClock {
  private readonly startedMs: number;
  private readonly startWaitNs: number;
  private waitNs: number;

  constructor(
    private readonly pid: number,
    private readonly readWaitNs: (pid: number) => number | undefined = mainThreadWaitNs,
    private readonly nowMs: () => number = () => performance.now(),
  ) {
    this.startedMs = this.nowMs();
    this.startWaitNs = this.readWaitNs(pid) ?? 0;
    this.waitNs = this.startWaitNs;
  }

  /** Samples the process and tells its own, wall and waiting milliseconds since the start (a process gone keeps its last wait). */
  elapsed(): { ownMs: number; wallMs: number; waitedMs: number } {
    this.waitNs = this.readWaitNs(this.pid) ?? this.waitNs;
    const wallMs = this.nowMs() - this.startedMs;
    const waitedMs = (this.waitNs - this.startWaitNs) / 1e6;
    return { ownMs: Math.max(0, wallMs - waitedMs), wallMs, waitedMs };
  }
}
