import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { cpuSecondsByPid, type CpuByPid } from '../lifecycle/cpu-accounting';

/**
 * The processes this benchmark started, by pid, with the part each is and the system it belongs to (other
 * sessions' processes are not ours). Systems measured in alternating rounds run side by side, one idle while the
 * other is measured: only the measured system's processes count ('any': the bench runner, the load of each).
 */
const OWN = new Map<number, { part: string; system: string }>([[process.pid, { part: 'load generator', system: 'any' }]]);

export function ownProcess(pid: number | undefined, part: string, system = 'any'): void {
  if (pid !== undefined) OWN.set(pid, { part, system });
}

function ownPart(pid: number, system?: string): string | undefined {
  const own = OWN.get(pid);
  if (!own) return undefined;
  return !system || own.system === 'any' || own.system === system ? own.part : 'other';
}

/**
 * `BENCH_DB_STATE`: the state directory of a private PostgreSQL + FerretDB (`servers.sh database-start` with
 * TASKYARD_STATE, TASKYARD_PG_PORT and TASKYARD_MONGO_PORT of its own; point TASKYARD_PG_PORT and
 * TASKYARD_MONGO_PORT at it when running the bench). Then only that instance's processes count as the
 * database: the shared servers' other sessions add nothing to it.
 */
const PRIVATE_DB = process.env.BENCH_DB_STATE;

/**
 * A private RabbitMQ node's home folder (`--broker=private`): then only that node's beam.smp is the broker, the
 * shared node (other sessions' load) is not counted at all.
 */
let privateBrokerHome: string | undefined;

export function usePrivateBroker(home: string): void {
  privateBrokerHome = home;
}

function brokerPart(cmd: string): string {
  return !privateBrokerHome || cmd.includes(` -home ${privateBrokerHome} `) ? 'rabbitmq' : 'other';
}

interface DbPids { ferretdb: number; postmaster: number }

function privateDbPids(state: string): DbPids {
  return {
    ferretdb: Number(readFileSync(join(state, 'run/ferretdb.pid'), 'utf8').trim()),
    postmaster: Number(readFileSync(join(state, 'pg/data/postmaster.pid'), 'utf8').split('\n')[0]),
  };
}

function parentOf(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
  } catch {
    return undefined;
  }
}

function privatePartOf(db: DbPids, cmd: string, pid: number): string | undefined {
  if (pid === db.ferretdb) return 'ferretdb';
  if (pid === db.postmaster || (cmd.startsWith('postgres') && parentOf(pid) === db.postmaster)) return 'postgresql';
  if (cmd.includes('ferretdb') || cmd.startsWith('postgres')) return 'other';
  return undefined;
}

/** The part a process is: the shared servers by name, our own processes (of `system`, when given) by pid; anything else is not counted. */
function partOf(cmd: string, pid: number, db?: DbPids, system?: string): string {
  const own = db && privatePartOf(db, cmd, pid);
  if (own) return own;
  if (cmd.includes('ferretdb')) return 'ferretdb';
  if (cmd.startsWith('postgres')) return 'postgresql';
  if (cmd.includes('beam.smp')) return brokerPart(cmd);
  return ownPart(pid, system) ?? 'other';
}

/** Parts every system uses on this machine: other sessions' load on them is measured and taken off. */
export const SHARED_PARTS = ['ferretdb', 'postgresql', 'rabbitmq'];

/**
 * Our parts' processes (of `system` only, when given) and the shared servers', by pid (compare two with
 * `cpuBetween`). A private database's postmaster counts with the backends it has reaped (autovacuum workers come
 * and go within a run).
 */
export const cpuByPart = (system?: string): CpuByPid => {
  const db = PRIVATE_DB ? privateDbPids(PRIVATE_DB) : undefined;
  const all = cpuSecondsByPid((cmd, _cwd, pid) => partOf(cmd, pid, db, system));
  for (const [pid, p] of all) if (p.part === 'other') all.delete(pid);
  const postmaster = db && all.get(db.postmaster);
  if (postmaster) postmaster.seconds += reapedChildrenSeconds(db.postmaster);
  return all;
};

function reapedChildrenSeconds(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(f[13]) + Number(f[14])) / 100;
  } catch {
    return 0;
  }
}

const TICKS_PER_SECOND = 100;

/** CPU seconds a process has used (user + system). */
export function processCpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
}

/** The machine's busy and total CPU ticks so far (all cores). */
export function machineTicks(): { busy: number; total: number } {
  const cpu = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
  const total = cpu.reduce((a, b) => a + b, 0);
  return { busy: total - cpu[3] - (cpu[4] ?? 0), total };
}
