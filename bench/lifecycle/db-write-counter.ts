import { execFileSync } from 'node:child_process';

/**
 * Rows inserted, updated and deleted per collection, as PostgreSQL counts them under FerretDB, and the
 * scans of its table (index and sequential: every find, and the read each update and delete starts with).
 */
export type WriteCounts = Record<string, { inserts: number; updates: number; deletes: number; scans?: number }>;

const PG = { host: '127.0.0.1', port: process.env.TASKYARD_PG_PORT ?? '54329', user: 'taskyard', db: 'taskyard' };

/**
 * Reads PostgreSQL's own statistics for the FerretDB schema of `database` (one table per collection,
 * named `<collection>_<hash>`). Counted by the database itself, so nothing in the product can hide a write.
 * Only for the local stack (FerretDB on PostgreSQL); returns undefined elsewhere.
 */
export function readWriteCounts(database: string): WriteCounts | undefined {
  try {
    const sql = `select relname, n_tup_ins, n_tup_upd, n_tup_del, coalesce(seq_scan, 0) + coalesce(idx_scan, 0) from pg_stat_user_tables where schemaname = '${database.replace(/'/g, '')}'`;
    const out = execFileSync('psql', ['-h', PG.host, '-p', PG.port, '-U', PG.user, '-d', PG.db, '-tA', '-F', ',', '-c', sql], { encoding: 'utf8' });
    const counts: WriteCounts = {};
    for (const line of out.trim().split('\n').filter(Boolean)) {
      const [rel, ins, upd, del, scans] = line.split(',');
      if (rel.startsWith('_ferretdb')) continue;
      const collection = rel.replace(/_[0-9a-f]{8}$/, '');
      counts[collection] = { inserts: Number(ins), updates: Number(upd), deletes: Number(del), scans: Number(scans) };
    }
    return counts;
  } catch {
    return undefined;
  }
}

export function diffWrites(before: WriteCounts, after: WriteCounts): WriteCounts {
  const diff: WriteCounts = {};
  for (const [c, a] of Object.entries(after)) {
    const b = before[c] ?? { inserts: 0, updates: 0, deletes: 0, scans: 0 };
    const d = { inserts: a.inserts - b.inserts, updates: a.updates - b.updates, deletes: a.deletes - b.deletes, scans: (a.scans ?? 0) - (b.scans ?? 0) };
    if (d.inserts || d.updates || d.deletes || d.scans) diff[c] = d;
  }
  return diff;
}

export function totalWrites(c: WriteCounts): number {
  return Object.values(c).reduce((n, w) => n + w.inserts + w.updates + w.deletes, 0);
}

/** Table scans (index or sequential) of all collections: FerretDB's reads, an update's and a delete's included. */
export function totalScans(c: WriteCounts): number {
  return Object.values(c).reduce((n, w) => n + (w.scans ?? 0), 0);
}
