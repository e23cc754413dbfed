import { readdirSync, readFileSync, readlinkSync } from 'node:fs';

/** CPU seconds used so far, per part of the system, read from /proc (Linux). */
export type CpuSeconds = Map<string, number>;

const TICKS_PER_SECOND = 100;

function lifecyclePart(cmd: string, cwd: string): string {
  if (cmd.includes('ferretdb')) return 'ferretdb';
  if (cmd.startsWith('postgres')) return 'postgresql';
  if (cmd.includes('beam.smp')) return 'rabbitmq';
  if (cmd.includes('minio')) return 'minio';
  if (cmd.includes('src/main.ts')) return `node ${cwd.split('/').pop()}`;
  if (cmd.includes('bench/lifecycle')) return 'node benchmark (load)';
  return 'other';
}

/** CPU seconds used so far by each running process, with the part it belongs to. */
export type CpuByPid = Map<number, { part: string; seconds: number }>;

/** `partOf` names the part a process belongs to, from its command line and working directory. */
export function cpuSecondsByPid(partOf: (cmd: string, cwd: string, pid: number) => string = lifecyclePart): CpuByPid {
  const byPid: CpuByPid = new Map();
  for (const pid of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      const seconds = (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
      const part = partOf(readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' '), readlinkSync(`/proc/${pid}/cwd`), Number(pid));
      byPid.set(Number(pid), { part, seconds });
    } catch {
      // The process ended while we looked.
    }
  }
  return byPid;
}

/** CPU seconds used so far, per part (the sum of its running processes). */
export function cpuSeconds(partOf: (cmd: string, cwd: string, pid: number) => string = lifecyclePart): CpuSeconds {
  const parts: CpuSeconds = new Map();
  for (const { part, seconds } of cpuSecondsByPid(partOf).values()) parts.set(part, (parts.get(part) ?? 0) + seconds);
  return parts;
}

/**
 * CPU seconds each part used between two readings, process by process: a process that ended in between
 * takes nothing away (a sum by part would drop by all its CPU, e.g. another session's PostgreSQL backend
 * closing), and one that started counts whole.
 */
export function cpuBetween(before: CpuByPid, after: CpuByPid): CpuSeconds {
  const parts: CpuSeconds = new Map();
  for (const [pid, { part, seconds }] of after) {
    const was = before.get(pid);
    const used = was && was.part === part ? Math.max(0, seconds - was.seconds) : seconds;
    parts.set(part, (parts.get(part) ?? 0) + used);
  }
  return parts;
}

/** CPU milliseconds per task of each part between two readings, largest first. */
export function cpuPerTask(before: CpuSeconds, after: CpuSeconds, tasks: number): Array<{ part: string; msPerTask: number }> {
  return [...after]
    .map(([part, s]) => ({ part, msPerTask: Number(((1000 * (s - (before.get(part) ?? 0))) / tasks).toFixed(2)) }))
    .filter((r) => r.msPerTask >= 0.05)
    .sort((a, b) => b.msPerTask - a.msPerTask);
}
