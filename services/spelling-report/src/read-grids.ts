import type { Connection } from 'mongoose';
import { schoolModels, scoreOf, type SpellingWeekRecord } from '@taskyard/school-data';
import { ClassGrid } from './class-grid';
import type { ReportTarget, Roster } from './report-scope';
import type { WeekAxis } from './week-axis';

export interface ReadStats {
  docs: number;
  /** Tests of classes or weeks outside the report (e.g. a pupil's old class in a class report). */
  skipped: number;
}

/** Scores as read: class -> pupil -> words right and words set per week column (0 set = no test). */
export type Cells = Map<string, Map<string, { correct: Uint8Array; total: Uint8Array }>>;

type TestFields = Pick<SpellingWeekRecord, 'classId' | 'pupilId' | 'week' | 'results'>;

/** Documents per round trip: FerretDB returns a batch as one response, so bigger batches mean fewer waits. */
const BATCH_SIZE = 2000;

/**
 * Reads every test of the report with ONE cursor (one sequential scan on FerretDB, whose per-class
 * queries would each scan the whole collection) and folds each document into two bytes per cell as it
 * arrives, so only the cells stay in memory (about 80 KB for a school year), never the documents.
 */
export async function readCells(db: Connection, target: ReportTarget, axis: WeekAxis, signal: AbortSignal, onDocs: (docs: number) => void): Promise<{ cells: Cells; stats: ReadStats }> {
  const cells: Cells = new Map();
  const stats: ReadStats = { docs: 0, skipped: 0 };
  const cursor = schoolModels(db).SpellingWeek.collection.find<TestFields>(target.filter, {
    projection: { _id: 0, classId: 1, pupilId: 1, week: 1, results: 1 },
    batchSize: BATCH_SIZE,
  });
  try {
    for await (const doc of cursor) {
      signal.throwIfAborted();
      stats.docs++;
      const column = axis.columnOf(doc.week);
      if (column === undefined) {
        stats.skipped++;
        continue;
      }
      let pupils = cells.get(doc.classId);
      if (!pupils) cells.set(doc.classId, (pupils = new Map()));
      let row = pupils.get(doc.pupilId);
      if (!row) pupils.set(doc.pupilId, (row = { correct: new Uint8Array(axis.length), total: new Uint8Array(axis.length) }));
      const { correct, total } = scoreOf(doc.results);
      row.correct[column] = Math.min(correct, 255);
      row.total[column] = Math.min(total, 255);
      if (stats.docs % BATCH_SIZE === 0) onDocs(stats.docs);
    }
  } finally {
    await cursor.close();
  }
  return { cells, stats };
}

/**
 * One grid per class of the roster, in its order: each lists the class's pupils (those with no test in
 * the range too, with no score) and any other pupil of the school whose test is filed under the class
 * (a pupil who has since moved class). Tests of classes not in the roster, or of pupils the school does
 * not have, are not the report's: counted as skipped.
 */
export function buildGrids(cells: Cells, roster: Roster, axis: WeekAxis, stats: ReadStats): ClassGrid[] {
  const testsIn = (row: { total: Uint8Array }): number => row.total.filter((t) => t > 0).length;
  const grids = new Map(roster.classes.map((cls) => [cls._id, new ClassGrid(cls, axis.length)]));
  for (const [classId, pupils] of cells) {
    const grid = grids.get(classId);
    for (const [pupilId, row] of pupils) {
      const pupil = roster.pupils.get(pupilId);
      if (grid && pupil) grid.adopt(pupil, row.correct, row.total);
      else stats.skipped += testsIn(row);
    }
  }
  for (const pupil of roster.pupils.values()) grids.get(pupil.classId)?.enrol(pupil);
  return [...grids.values()];
}
