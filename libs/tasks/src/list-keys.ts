/**
 * The task list's keys: how a list sorted by time is read by equality only (SPEC design rule 4).
 *
 * Every task carries `lk`, one key per list it appears in: `<scope>@0:<second>`, where the scope names
 * the list (the owner's, the owner's of one type/status/tag, or the same for admins over every owner) and
 * the second is the task's `createdAt`. A page reads whole one-second buckets by equality on `lk` (each
 * bucket is bounded by the platform's throughput) and sorts only inside a bucket. Which buckets are not
 * empty is found through a small tree of marks (second → minute → hour → day → 64-day block → the
 * scope's root), each mark naming its parents in `p`: the children of one node are one equality read.
 *
 * One mark stands for a node of several lists at once. Above the second, a family's: the owner's lists of
 * a task share one, every owner's lists another (never mixed, so the children of a minute or more of the
 * admins' lists grow with the types and statuses seen, not with the owners). For the second, one mark per
 * event names the minute of every list the event touches: a lone task's submit costs two marks there (its
 * lists by status apart, see below), not one per list, and a minute's children are bounded by its events.
 *
 * The lists of an open status (scheduled, queued, running, retrying) hold only unfinished tasks, which
 * leave them: a tree of marks would keep every second that ever held one, and a walk for the few open
 * tasks would cross the whole history. Their seconds' marks hang from the list's root directly instead,
 * and each is pruned a while after the owner's last task left it (list-prune.ts): the root's children
 * are the seconds holding open tasks now, bounded by the unfinished work, not by the history.
 *
 * A reader keeps the children of settled nodes (whose time ended more than SETTLE_SECONDS ago) for a while
 * (task-list.ts): only a late entry adds a child there, a task entering a list at a second older than
 * LATE_ENTRY_SECONDS (a status change of a long or delayed task). Each late entry is also journalled: a
 * mark of its minute under the list's journal node of the minute it was written (`<scope>@j:<minute>`), so
 * a reader reads the last minutes' journal (one equality each) and reads afresh only the nodes holding a
 * journalled minute, instead of re-reading all it keeps.
 */
import { UNFINISHED_STATUSES, type TaskStatus } from '@taskyard/contracts';

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

/** A mark: the node `<scopes>@<level>:<n>` of each of its lists exists (has at least one task under it). */
export interface ListMarkRecord {
  _id: string;
  /** The parent node of each of its lists (or `<scope>@root`), whose children are read by equality on this field. */
  p: string | string[];
  n: number;
  /** A list head's cut mark (list-heads.ts): the head holds every non-empty second from `n` on. */
  cut?: boolean;
  /** A list head's own "complete since" mark (list-heads.ts). */
  since?: boolean;
}

// Parts are URI-encoded so no user-given owner, type or tag can forge a separator.
const enc = encodeURIComponent;

function ownerPart(owner: string | undefined): string {
  return owner === undefined ? '*' : `u.${enc(owner)}`;
}

/** The statuses whose lists are read from their roots and pruned (see above). */
export const OPEN_STATUSES: readonly TaskStatus[] = UNFINISHED_STATUSES;
export const isOpenStatus = (status: string): boolean => (OPEN_STATUSES as readonly string[]).includes(status);
/** Whether a list (by scope) is read through a tree of marks: every list but those of an open status. */
export const isTreeScope = (scope: string): boolean => !OPEN_STATUSES.some((s) => scope.endsWith(`|s.${enc(s)}`));

/**
 * The lists a task with these fields belongs to, as families sharing a mark above the second: the owner's
 * and every owner's, by status apart (statusFamilies). None for a fan-out's child: the lists show
 * top-level tasks, each child sits under its parent.
 */
export function listFamilies(f: Omit<ListedFields, 'createdAt'>): string[][] {
  if (f.parentId) return [];
  return [ownerPart(f.owner), '*'].map((base) => [base, `${base}|t.${enc(f.type)}`, ...(f.tag ? [`${base}|g.${enc(f.tag)}`] : [])]);
}

/** The lists of a task that depend on its status (the ones a status change moves it between), one family each. */
export function statusFamilies(f: Pick<ListedFields, 'owner' | 'status' | 'parentId'>): string[][] {
  if (f.parentId) return [];
  return [ownerPart(f.owner), '*'].map((base) => [`${base}|s.${enc(f.status)}`]);
}

/** Every list a task with these fields belongs to. */
export function listScopes(f: Omit<ListedFields, 'createdAt'>): string[] {
  return [...listFamilies(f), ...statusFamilies(f)].flat();
}

/** The lists of a task that depend on its status. */
export function statusScopes(f: Pick<ListedFields, 'owner' | 'status' | 'parentId'>): string[] {
  return statusFamilies(f).flat();
}

export const secondOf = (at: Date | string | number): number => Math.floor(new Date(at).getTime() / 1000);

export function nodeId(scope: string, level: number, n: number): string {
  return `${scope}@${level}:${n}`;
}

export const rootId = (scope: string): string => `${scope}@root`;

/** A list's head (list-heads.ts): its newest non-empty seconds, children of this node. */
export const headNodeId = (scope: string): string => `${scope}@head`;

/** Marks of a second in some lists' heads alone, a document each (list-heads-rebuild.ts). */
export function headMarks(scopes: string[], second: number): ListMarkRecord[] {
  return scopes.map((s) => ({ _id: `${s}@h:${second}`, p: headNodeId(s), n: second }));
}

/** The `lk` of a task: its level-0 node in each of its lists. */
export function listKeys(f: ListedFields): string[] {
  const second = secondOf(f.createdAt);
  return listScopes(f).map((s) => nodeId(s, 0, second));
}

/** An entry into a list at a second older than this (by the writer's clock) is late: journalled. */
export const LATE_ENTRY_SECONDS = 30;
/**
 * A node whose last second is older than this (by the reader's clock) is settled: only late entries add
 * children to it. Above LATE_ENTRY_SECONDS by the time a mark insert may take and a clock skew between
 * processes.
 */
export const SETTLE_SECONDS = 90;
/** Width in seconds of a journal node (the late entries written in one minute). */
export const JOURNAL_SECONDS = 60;

export const journalNodeId = (scope: string, period: number): string => `${scope}@j:${period}`;

/** The node of a level holding `second`. */
export const nodeAt = (level: number, second: number): number => Math.floor(second / LEVEL_SECONDS[level]);

/** A mark's id: its lists' scopes joined by `+` (which no encoded part holds; a lone scope's is the scope's own node id). */
const markId = (scopes: string[], level: number, n: number): string => nodeId(scopes.join('+'), level, n);

const parentOf = (scope: string, level: number, second: number): string => (level === TOP_LEVEL ? rootId(scope) : nodeId(scope, level + 1, nodeAt(level + 1, second)));

/** A family's mark of the node of `level` (1 and up) holding `second`. */
function familyMark(family: string[], level: number, second: number): ListMarkRecord {
  return { _id: markId(family, level, nodeAt(level, second)), p: family.map((s) => parentOf(s, level, second)), n: nodeAt(level, second) };
}

/**
 * The one mark of a second, naming the minute node of every list of the event and (`heads`) each list's
 * head (list-heads.ts): the head costs no document of its own, only an entry of `p`.
 */
function secondMark(scopes: string[], second: number, heads = true): ListMarkRecord {
  return { _id: markId(scopes, 0, second), p: [...scopes.map((s) => parentOf(s, 0, second)), ...(heads ? scopes.map(headNodeId) : [])], n: second };
}

/**
 * The marks of one event of a task in the families of lists it enters, parents first: one mark per family
 * on each level from the 64-day block down to the minute, a single mark for the second, naming the
 * minute node of every list at once and (`heads`) each list's head (list-heads.ts).
 */
function treeMarks(families: string[][], second: number, heads = true): ListMarkRecord[] {
  const marks: ListMarkRecord[] = [];
  for (const family of families) {
    for (let level = TOP_LEVEL; level >= 1; level--) marks.push(familyMark(family, level, second));
  }
  const scopes = families.flat();
  if (scopes.length) marks.push(secondMark(scopes, second, heads));
  return marks;
}

/** The last second of a node of `level`. */
export const nodeEnd = (level: number, n: number): number => (n + 1) * LEVEL_SECONDS[level] - 1;

/** Whether a node is settled at `nowSecond` (see SETTLE_SECONDS): only late entries add children to it. */
export const isSettled = (level: number, n: number, nowSecond: number): boolean => nodeEnd(level, n) < nowSecond - SETTLE_SECONDS;

/**
 * The statuses whose tree lists a task can leave (`succeeded` → `expired`, after the artifacts' retention):
 * their marks are pruned once no task holds them (list-prune.ts), or a list of them would walk an expired
 * history.
 */
export const LEAVABLE_TREE_STATUSES: readonly TaskStatus[] = ['succeeded'];
export const isLeavableTree = (status: string): boolean => (LEAVABLE_TREE_STATUSES as readonly string[]).includes(status);

/**
 * The marks of a task's lists of a (tree) status by level, the second's first, each level's one per family:
 * the order in which a late entry stores them and a pruning removes them. None for an open status.
 */
export function statusPath(f: Pick<ListedFields, 'owner' | 'status' | 'parentId' | 'createdAt'>): ListMarkRecord[][] {
  const families = statusFamilies(f);
  if (isOpenStatus(f.status) || !families.length) return [];
  const second = secondOf(f.createdAt);
  const upper = Array.from({ length: TOP_LEVEL }, (_, i) => families.map((family) => familyMark(family, i + 1, second)));
  return [[secondMark(families.flat(), second)], ...upper];
}

/**
 * The journal mark of a late entry into the lists of `families` at `second`, written at `nowSecond`: none
 * for an entry that is not late (a reader sees it in the nodes it reads afresh).
 */
function journalMarks(families: string[][], second: number, nowSecond: number): ListMarkRecord[] {
  const scopes = families.flat();
  if (!scopes.length || nowSecond - second <= LATE_ENTRY_SECONDS) return [];
  const period = Math.floor(nowSecond / JOURNAL_SECONDS);
  // The minute, not the second: a journal node holds a few marks per owner even under a backlog that makes
  // every entry late (its entries' seconds slide with the queue's wait), and a reader reads that minute afresh.
  const minute = nodeAt(1, second);
  return [{ _id: `${scopes.join('+')}@j${period}:${minute}`, p: scopes.map((s) => journalNodeId(s, period)), n: minute }];
}

/** The mark of a second in the owner's and every owner's list of an open status: a child of each list's root. */
export function openMark(f: Pick<ListedFields, 'owner' | 'status' | 'parentId' | 'createdAt'>): ListMarkRecord | undefined {
  const scopes = statusScopes(f);
  if (!scopes.length) return undefined;
  const second = secondOf(f.createdAt);
  return { _id: markId(scopes, 0, second), p: scopes.map(rootId), n: second };
}

/**
 * The marks of a task's new status: its second under the open lists' roots, or the tree of the others
 * (and the journal's mark when late, `nowSecond` given).
 */
export function statusMarks(f: ListedFields, nowSecond?: number, heads = true): ListMarkRecord[] {
  const second = secondOf(f.createdAt);
  if (!isOpenStatus(f.status)) {
    const families = statusFamilies(f);
    return [...treeMarks(families, second, heads), ...(nowSecond === undefined ? [] : journalMarks(families, second, nowSecond))];
  }
  const mark = openMark(f);
  return mark ? [mark] : [];
}

/**
 * The marks of a new task: its lists but those by status, then those of its status (and the journal's
 * when late, `nowSecond` given: a task stored with an old `createdAt`); `heads` false for a history stored
 * in bulk, whose heads rebuildListHeads writes (list-heads.ts).
 */
export function submitMarks(f: ListedFields, nowSecond?: number, heads = true): ListMarkRecord[] {
  const second = secondOf(f.createdAt);
  const families = listFamilies(f);
  return [...treeMarks(families, second, heads), ...(nowSecond === undefined ? [] : journalMarks(families, second, nowSecond)), ...statusMarks(f, nowSecond, heads)];
}

/**
 * The list a filter reads and what is left to check on each task read from it. One filter beside the
 * owner is served by its own list; with several, status (usually the rarest) is read and the rest checked.
 */
export function pickScope(f: ListFilter): { scope: string; open: boolean; residual: Partial<Record<'type' | 'status' | 'tag', string>> } {
  const base = ownerPart(f.owner);
  if (f.status !== undefined) return { scope: `${base}|s.${enc(f.status)}`, open: isOpenStatus(f.status), residual: { type: f.type, tag: f.tag } };
  if (f.tag !== undefined) return { scope: `${base}|g.${enc(f.tag)}`, open: false, residual: { type: f.type } };
  if (f.type !== undefined) return { scope: `${base}|t.${enc(f.type)}`, open: false, residual: {} };
  return { scope: base, open: false, residual: {} };
}
