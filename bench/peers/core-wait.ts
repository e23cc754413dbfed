import { readFileSync } from 'node:fs';

/** Where a thread's time went so far, from the kernel's scheduler statistics. */
export interface ThreadTime {
  /** Seconds on a core. */
  runS: number;
  /** Seconds runnable but waiting for a core (the machine's load: others' processes, or ours). */
  coreWaitS: number;
}

/**
 * The time of a process's main thread (a Node process's JavaScript thread) from `/proc/<pid>/schedstat`:
 * on a core, and runnable but waiting for one. What is neither was the process's own idle time (waiting for
 * a message, a confirm, a timer): on a shared machine this is what tells a system's dispatch gaps from the
 * machine's load, which only lengthens the wait for a core.
 */
export function threadTime(pid: number): ThreadTime {
  const [runNs, waitNs] = readFileSync(`/proc/${pid}/schedstat`, 'utf8').trim().split(/\s+/).map(Number);
  return { runS: runNs / 1e9, coreWaitS: waitNs / 1e9 };
}
