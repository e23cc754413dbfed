import type { Connection } from 'mongoose';

/** Plan nodes that read through an index: PostgreSQL's (FerretDB's explain carries its plan) and MongoDB's stages. */
const INDEX_NODES = new Set(['Index Scan', 'Index Only Scan', 'Bitmap Index Scan', 'IXSCAN', 'IDHACK', 'EXPRESS_IXSCAN', 'COUNT_SCAN']);
const SCAN_NODES = new Set(['Seq Scan', 'COLLSCAN']);

export interface PlanSummary {
  /** Every plan node or stage name, in the order found. */
  nodes: string[];
  /** True when the plan reads through an index and never scans the collection. */
  indexed: boolean;
  /** FerretDB: whether the filter was pushed down to PostgreSQL at all (absent on MongoDB). */
  pushdown?: boolean;
}

function collectNodes(value: unknown, into: string[]): void {
  if (Array.isArray(value)) {
    for (const v of value) collectNodes(v, into);
    return;
  }
  if (typeof value !== 'object' || value === null) return;
  for (const [k, v] of Object.entries(value)) {
    if ((k === 'Node Type' || k === 'stage') && typeof v === 'string') into.push(v);
    else collectNodes(v, into);
  }
}

/** The database's own plan for `find(filter)` on `collection`, as the nodes it would run. */
export async function explainFind(conn: Connection, collection: string, filter: Record<string, unknown>): Promise<PlanSummary> {
  const out = (await conn.db!.command({ explain: { find: collection, filter }, verbosity: 'queryPlanner' })) as Record<string, unknown>;
  const nodes: string[] = [];
  collectNodes(out.queryPlanner, nodes);
  return {
    nodes,
    indexed: nodes.some((n) => INDEX_NODES.has(n)) && !nodes.some((n) => SCAN_NODES.has(n)),
    ...(typeof out.pushdown === 'boolean' ? { pushdown: out.pushdown } : {}),
  };
}
