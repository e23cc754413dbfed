import type { Model } from 'mongoose';
import { HEAD_KEEP, cutMark, insertMarks, sinceMark } from './list-heads';
import { headMarks, isTreeScope, type ListMarkRecord } from './list-keys';
import type { TaskRecord } from './task-record';
import { TaskList } from './task-list';

/** What a rebuild did to one list's head. */
export interface HeadRebuild {
  scope: string;
  /** Head marks written (the list's newest non-empty seconds, by its tree). */
  seconds: number;
  /** The cut stored below them, when the list has older seconds. */
  cut?: number;
}

/**
 * Writes the heads of lists whose history was stored before heads were (a database from before them, a
 * history stored in bulk with `ensureAll(..., {heads: false})`): each list's newest HEAD_KEEP non-empty
 * seconds found by walking its tree, a cut below them, and the list's own "complete since" mark, so its
 * first pages read the head (list-heads.ts). Safe beside running writers (theirs write heads of their own)
 * and for any subset of lists (a list not rebuilt keeps the database's "since"; those of an open status
 * have no head: they are read from their root); idempotent.
 */
export async function rebuildListHeads(models: { Task: Model<TaskRecord>; ListMark: Model<ListMarkRecord> }, scopes: string[], timeoutMs = 30_000): Promise<HeadRebuild[]> {
  const list = new TaskList(models.Task, models.ListMark, timeoutMs);
  const done: HeadRebuild[] = [];
  for (const scope of scopes.filter(isTreeScope)) {
    const { seconds, all } = await list.treeSeconds(scope, HEAD_KEEP);
    const cut = all || !seconds.length ? undefined : seconds[seconds.length - 1];
    const marks = [...seconds.flatMap((s) => headMarks([scope], s)), ...(cut === undefined ? [] : [cutMark(scope, cut)])];
    // Head marks and the cut before the list's own "since": until then readers trust the database's.
    await insertMarks(models.ListMark, marks, timeoutMs);
    await insertMarks(models.ListMark, [sinceMark(scope, 0)], timeoutMs);
    done.push({ scope, seconds: seconds.length, ...(cut === undefined ? {} : { cut }) });
  }
  return done;
}
