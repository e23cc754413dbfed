import { cpuSecondsByPid, type CpuByPid } from '../lifecycle/cpu-accounting';

/** The processes this benchmark started, by pid, with the part each is (other sessions' processes are not ours). */
const OWN = new Map<number, string>([[process.pid, 'load generator']]);

export function ownProcess(pid: number | undefined, part: string): void {
  if (pid !== undefined) OWN.set(pid, part);
}

/** The part a process is: the shared servers by name, our own processes by pid; anything else is not counted. */
function partOf(cmd: string, _cwd: string, pid: number): string {
  if (cmd.includes('ferretdb')) return 'ferretdb';
  if (cmd.startsWith('postgres')) return 'postgresql';
  if (cmd.includes('beam.smp')) return 'rabbitmq';
  return OWN.get(pid) ?? 'other';
}

/** Parts every system uses on this machine: other sessions' load on them is measured and taken off. */
export const SHARED_PARTS = ['ferretdb', 'postgresql', 'rabbitmq'];

/** Our parts' processes and the shared servers', by pid (compare two with `cpuBetween`). */
export const cpuByPart = (): CpuByPid => {
  const all = cpuSecondsByPid(partOf);
  for (const [pid, p] of all) if (p.part === 'other') all.delete(pid);
  return all;
};
