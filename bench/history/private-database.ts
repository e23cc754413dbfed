import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const REPO = resolve(__dirname, '../..');
const TICKS_PER_SECOND = 100;

/**
 * A PostgreSQL + FerretDB of the benchmark's own (deploy/local/servers.sh database-start with its own state
 * directory and ports): the shared one serves every other test on the machine, so its CPU would not be
 * the stack's, and a fill of a million tasks would load everyone's.
 */
export class PrivateDatabase {
  readonly state: string;

  /**
   * `keep`: the instance's data outlives the run (a kept state directory of its own, not wiped at start
   * nor removed at the end), so a filled history of a million tasks (about an hour here) is filled once.
   */
  constructor(
    readonly keep = false,
    readonly pgPort = Number(process.env.HISTORY_PG_PORT ?? (keep ? 54359 : 54349)),
    readonly mongoPort = Number(process.env.HISTORY_MONGO_PORT ?? (keep ? 27048 : 27038)),
  ) {
    this.state = join(tmpdir(), `taskyard-bench-history-${keep ? 'kept-' : ''}${this.pgPort}`);
  }

  private servers(command: 'database-start' | 'database-stop'): void {
    execFileSync('bash', [join(REPO, 'deploy/local/servers.sh'), command], {
      env: { ...process.env, TASKYARD_STATE: this.state, TASKYARD_PG_PORT: String(this.pgPort), TASKYARD_MONGO_PORT: String(this.mongoPort) },
      stdio: ['ignore', 'ignore', 'inherit'],
    });
  }

  /** Starts an empty instance (a previous run's is stopped and removed first), or the kept one as it was. */
  start(): void {
    if (!this.keep && existsSync(this.state)) {
      this.servers('database-stop');
      rmSync(this.state, { recursive: true, force: true });
    }
    this.servers('database-start');
  }

  stop(): void {
    this.servers('database-stop');
    if (!this.keep) rmSync(this.state, { recursive: true, force: true });
  }

  /**
   * VACUUMs one collection of a FerretDB database (its PostgreSQL table: the database is a schema, the
   * collection a table named `<collection>_<hash>`), so a kept database's dead rows from earlier runs are
   * gone as a fresh database's never were.
   */
  vacuum(database: string, collection: string): void {
    const find = `SELECT format('VACUUM %I.%I', schemaname, relname) FROM pg_stat_user_tables WHERE schemaname = '${database}' AND relname LIKE '${collection.replace(/_/g, '\\_')}\\_%'`;
    execFileSync('psql', ['-h', '127.0.0.1', '-p', String(this.pgPort), '-U', 'taskyard', '-d', 'taskyard', '-X', '-q', '-v', 'ON_ERROR_STOP=1'], {
      input: `${find} \\gexec\n`,
      stdio: ['pipe', 'ignore', 'inherit'],
    });
  }

  mongoUrl(database: string): string {
    return `mongodb://127.0.0.1:${this.mongoPort}/${database}`;
  }

  /** CPU seconds FerretDB and PostgreSQL have used (PostgreSQL: the postmaster, its live backends, and the ended ones it reaped). */
  cpuSeconds(): { ferretdb: number; postgresql: number } {
    const ferret = Number(readFileSync(join(this.state, 'run/ferretdb.pid'), 'utf8').trim());
    const postmaster = Number(readFileSync(join(this.state, 'pg/data/postmaster.pid'), 'utf8').split('\n')[0]);
    let postgresql = processCpu(postmaster, true);
    for (const pid of childrenOf(postmaster)) postgresql += processCpu(pid, true);
    return { ferretdb: processCpu(ferret, true), postgresql };
  }
}

function statFields(pid: number): string[] | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  } catch {
    return undefined; // ended while we looked
  }
}

/** A process's CPU seconds (user + system), with its reaped children's when `withChildren`. */
export function processCpu(pid: number, withChildren = false): number {
  const f = statFields(pid);
  if (!f) return 0;
  const ticks = Number(f[11]) + Number(f[12]) + (withChildren ? Number(f[13]) + Number(f[14]) : 0);
  return ticks / TICKS_PER_SECOND;
}

function childrenOf(parent: number): number[] {
  return readdirSync('/proc')
    .filter((d) => /^\d+$/.test(d))
    .map(Number)
    .filter((pid) => Number(statFields(pid)?.[1]) === parent);
}
