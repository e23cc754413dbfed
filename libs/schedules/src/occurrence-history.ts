import { LEVEL_SECONDS, TOP_LEVEL, insertManyUnique, nodeId, rootId, secondOf, type ListMarkRecord } from '@taskyard/tasks';
import type { OccurrenceRecord, ScheduleModels } from './schedule-model';

/**
 * A schedule's history, read by equality only (INDEXES.md, the task lists' way: libs/tasks list-keys.ts).
 * Each occurrence names its minute node in `p`; a tree of marks (the schedule's root → 64-day block → day →
 * hour → minute, each naming its parent in `p`) says which nodes hold any. A page walks the tree newest
 * first and reads whole minute buckets (at most 60 occurrences: fire times are whole seconds), so its cost
 * follows the page, not the history. Beside the tree, prune marks list by day the schedules that have
 * occurrences on it (`prune@<day>` → `prune@<day>@<scheduleId>`), for the pruner's equality on a past day.
 */

/** The level of a day's node in the tree (LEVEL_SECONDS: second, minute, hour, day, 64-day block). */
export const DAY_LEVEL = 3;
const PRUNE_ROOT = 'prune';

/** The scope of one schedule's history tree. */
export const historyScope = (scheduleId: string): string => `o.${encodeURIComponent(scheduleId)}`;
/** The minute node an occurrence belongs to (its `p`). */
export const minuteNode = (scheduleId: string, fireAt: Date): string => nodeId(historyScope(scheduleId), 1, Math.floor(secondOf(fireAt) / 60));
export const dayOf = (fireAt: Date): string => fireAt.toISOString().slice(0, 10);
export const dayNumber = (day: string): number => Math.floor(Date.parse(`${day}T00:00:00Z`) / 86_400_000);
export const pruneDayId = (day: string): string => `${PRUNE_ROOT}@${day}`;
const pruneEntryId = (day: string, scheduleId: string): string => `${pruneDayId(day)}@${encodeURIComponent(scheduleId)}`;

/**
 * The nodes holding a second, from the 64-day block down to the minute, each naming its parent (the
 * occurrence itself is its minute's child: no mark for its second).
 */
function treeMarks(scope: string, second: number): ListMarkRecord[] {
  const at = (level: number): number => Math.floor(second / LEVEL_SECONDS[level]);
  const marks: ListMarkRecord[] = [];
  for (let level = TOP_LEVEL; level >= 1; level--) {
    marks.push({ _id: nodeId(scope, level, at(level)), p: level === TOP_LEVEL ? rootId(scope) : nodeId(scope, level + 1, at(level + 1)), n: at(level) });
  }
  return marks;
}

/** The marks an occurrence needs before it is inserted: its minute's chain up to the schedule's root, and the prune marks of its day. */
export function historyMarks(scheduleId: string, fireAt: Date): ListMarkRecord[] {
  const day = dayOf(fireAt);
  const n = dayNumber(day);
  return [
    ...treeMarks(historyScope(scheduleId), secondOf(fireAt)),
    { _id: pruneDayId(day), p: PRUNE_ROOT, n },
    { _id: pruneEntryId(day, scheduleId), p: pruneDayId(day), n },
  ];
}

/** The prune marks: the days that hold any occurrence, and the schedules of one day. */
export const PRUNE_MARKS = {
  root: PRUNE_ROOT,
  day: pruneDayId,
  scheduleOf: (entry: ListMarkRecord, day: string): string => decodeURIComponent(entry._id.slice(pruneDayId(day).length + 1)),
} as const;

export interface HistoryPage {
  items: OccurrenceRecord[];
  more: boolean;
}

/** Nodes whose children are read side by side while filling a page. */
const WINDOW = 4;

/** Marks known to be stored, remembered up to this many (then forgotten at once: a re-insert is only a refused duplicate). */
const MARK_CACHE_LIMIT = 50_000;

export class OccurrenceHistory {
  /** Kept for the process: a mark stored once is not stored again. */
  private readonly known = new Set<string>();

  constructor(
    private readonly models: ScheduleModels,
    private readonly timeoutMs = 10_000,
  ) {}

  /** Stores the marks of an occurrence; call BEFORE inserting it, or pages miss it. */
  async prepare(scheduleId: string, fireAt: Date): Promise<void> {
    const missing = historyMarks(scheduleId, fireAt).filter((m) => !this.known.has(m._id));
    if (missing.length === 0) return;
    // A duplicate is a mark another replica stored: the _id decides, nothing to do.
    await insertManyUnique(this.models.HistoryMark as never, missing as never[]);
    if (this.known.size + missing.length > MARK_CACHE_LIMIT) this.known.clear();
    for (const m of missing) this.known.add(m._id);
  }

  /** Up to `limit` occurrences fired strictly before `before` (absent: all), newest first, and whether older ones exist. */
  async page(scheduleId: string, limit: number, before?: Date): Promise<HistoryPage> {
    const scope = historyScope(scheduleId);
    const upper = before ? secondOf(before) - (before.getTime() % 1000 === 0 ? 1 : 0) : Number.MAX_SAFE_INTEGER;
    const found: OccurrenceRecord[] = [];
    const full = (): boolean => found.length > limit;
    const walk = async (level: number, parents: string[]): Promise<void> => {
      for (let i = 0; i < parents.length && !full(); i += WINDOW) {
        const batch = parents.slice(i, i + WINDOW);
        if (level === 1) {
          const buckets = await Promise.all(batch.map((p) => this.bucket(p, upper)));
          for (const rows of buckets) found.push(...rows);
          continue;
        }
        const kids = await Promise.all(batch.map((p) => this.children(p, level - 1, upper)));
        for (const nodes of kids) {
          if (full()) return;
          await walk(level - 1, nodes.map((n) => nodeId(scope, level - 1, n)));
        }
      }
    };
    await walk(TOP_LEVEL + 1, [rootId(scope)]);
    return { items: found.slice(0, limit), more: found.length > limit };
  }

  /** A minute's occurrences up to `upper`, newest first (at most 60: sorted here, never in the database). */
  private async bucket(p: string, upper: number): Promise<OccurrenceRecord[]> {
    const rows = await this.models.Occurrence.find({ p }).maxTimeMS(this.timeoutMs).lean<OccurrenceRecord[]>().exec();
    return rows.filter((o) => secondOf(o.fireAt) <= upper).sort((a, b) => new Date(b.fireAt).getTime() - new Date(a.fireAt).getTime());
  }

  /** The child numbers of a node (children at `level`), newest first, none after second `upper`. */
  private async children(parent: string, level: number, upper: number): Promise<number[]> {
    const marks = await this.models.HistoryMark.find({ p: parent }, { n: 1 }).maxTimeMS(this.timeoutMs).lean<Pick<ListMarkRecord, 'n'>[]>().exec();
    const bound = Math.floor(upper / LEVEL_SECONDS[level]);
    return marks
      .map((m) => m.n)
      .filter((n) => n <= bound)
      .sort((a, b) => b - a);
  }
}
