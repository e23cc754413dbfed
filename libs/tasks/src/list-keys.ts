/**
 * The task list's keys: how a list sorted by time is read by equality only (SPEC design rule 4).
 *
 * Every task carries `lk`, one key per list it appears in: `<scope>@0:<second>`, where the scope names
 * the list (the owner's, the owner's of one type/status/tag, or the same for admins over every owner) and
 * the second is the task's `createdAt`. A page reads whole one-second buckets by equality on `lk` (each
 * bucket is bounded by the platform's throughput) and sorts only inside a bucket. Which buckets are not
 * empty is found through a small tree of marks (second → minute → hour → day → 64-day block → the
 * scope's root), each mark naming its parent in `p`: the children of one node are one equality read.
 */
import type { TaskStatus } from '@taskyard/contracts';

/** Width in seconds of a node at each level; level 0 is the bucket the tasks are read from. */
export const LEVEL_SECONDS = [1, 60, 3600, 86_400, 64 * 86_400] as const;
export const TOP_LEVEL = LEVEL_SECONDS.length - 1;

export interface ListedFields {
  owner: string;
  type: string;
  status: TaskStatus;
  tag?: string;
  createdAt: Date;
  /** Set on a fan-out's child: it is in no list, only under its parent (found by `parentId`). */
  parentId?: string;
}

export interface ListFilter {
  /** Users: always their own id; admins: optional. */
  owner?: string;
  type?: string;
  status?: string;
  tag?: string;
}

/** A mark: the node `<scope>@<level>:<n>` exists (has at least one task under it). */
export interface ListMarkRecord {
  _id: string;
  /** The parent node's id (or `<scope>@root`), whose children are read by equality on this field. */
  p: string;
  n: number;
}

// Parts are URI-encoded so no user-given owner, type or tag can forge a separator.
const enc = encodeURIComponent;

function ownerPart(owner: string | undefined): string {
  return owner === undefined ? '*' : `u.${enc(owner)}`;
}

/**
 * Every list a task with these fields belongs to: per owner and over all owners, each unfiltered and by type,
 * status and tag. None for a fan-out's child: the lists show top-level tasks, each child sits under its parent.
 */
export function listScopes(f: Omit<ListedFields, 'createdAt'>): string[] {
  if (f.parentId) return [];
  const scopes: string[] = [];
  for (const base of [ownerPart(f.owner), '*']) {
    scopes.push(base, `${base}|t.${enc(f.type)}`, `${base}|s.${enc(f.status)}`);
    if (f.tag) scopes.push(`${base}|g.${enc(f.tag)}`);
  }
  return scopes;
}

/** The lists of a task that depend on its status (the ones a status change moves it between). */
export function statusScopes(f: Pick<ListedFields, 'owner' | 'status' | 'parentId'>): string[] {
  if (f.parentId) return [];
  return [ownerPart(f.owner), '*'].map((base) => `${base}|s.${enc(f.status)}`);
}

export const secondOf = (at: Date | string | number): number => Math.floor(new Date(at).getTime() / 1000);

export function nodeId(scope: string, level: number, n: number): string {
  return `${scope}@${level}:${n}`;
}

export const rootId = (scope: string): string => `${scope}@root`;

/** The `lk` of a task: its level-0 node in each of its lists. */
export function listKeys(f: ListedFields): string[] {
  const second = secondOf(f.createdAt);
  return listScopes(f).map((s) => nodeId(s, 0, second));
}

/** The marks from a second up to the scope's root, parents first. */
export function markChain(scope: string, second: number): ListMarkRecord[] {
  const marks: ListMarkRecord[] = [];
  for (let level = TOP_LEVEL; level >= 0; level--) {
    const n = Math.floor(second / LEVEL_SECONDS[level]);
    const p = level === TOP_LEVEL ? rootId(scope) : nodeId(scope, level + 1, Math.floor(second / LEVEL_SECONDS[level + 1]));
    marks.push({ _id: nodeId(scope, level, n), p, n });
  }
  return marks;
}

/**
 * The list a filter reads and what is left to check on each task read from it. One filter beside the
 * owner is served by its own list; with several, status (usually the rarest) is read and the rest checked.
 */
export function pickScope(f: ListFilter): { scope: string; residual: Partial<Record<'type' | 'status' | 'tag', string>> } {
  const base = ownerPart(f.owner);
  if (f.status !== undefined) return { scope: `${base}|s.${enc(f.status)}`, residual: { type: f.type, tag: f.tag } };
  if (f.tag !== undefined) return { scope: `${base}|g.${enc(f.tag)}`, residual: { type: f.type } };
  if (f.type !== undefined) return { scope: `${base}|t.${enc(f.type)}`, residual: {} };
  return { scope: base, residual: {} };
}
