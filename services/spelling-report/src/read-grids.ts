import type { Connection } from 'mongoose';
import { schoolModels, scoreOf, type SpellingWeekRecord } from '@taskyard/school-data';
import { ClassGrid } from './class-grid';
import type { ReportScope } from './report-scope';
import type { WeekAxis } from './week-axis';

export interface ReadStats {
  docs: number;
  /** Tests of classes or weeks outside the report (e.g. a pupil's old class in a class report). */
  skipped: number;
}

type TestFields = Pick<SpellingWeekRecord, 'classId' | 'pupilId' | 'week' | 'results'>;

/** Documents per round trip: FerretDB returns a batch as one response, so bigger batches mean fewer waits. */
const BATCH_SIZE = 2000;

/**
 * Reads every test of the scope with ONE cursor (one sequential scan on FerretDB, whose per-class
 * queries each scan the whole collection) and folds each document into its class's grid as it
 * arrives, so only the grids stay in memory, never the documents.
 */
export async function readGrids(
  db: Connection,
  scope: ReportScope,
  axis: WeekAxis,
  signal: AbortSignal,
  onDocs: (docs: number) => void,
): Promise<{ grids: ClassGrid[]; stats: ReadStats }> {
  const grids = new Map(scope.classes.map((c) => [c._id, new ClassGrid(c, axis.length)]));
  const stats: ReadStats = { docs: 0, skipped: 0 };
  const cursor = schoolModels(db)
    .SpellingWeek.collection.find<TestFields>(scope.filter, { projection: { _id: 0, classId: 1, pupilId: 1, week: 1, results: 1 }, batchSize: BATCH_SIZE });
  try {
    for await (const doc of cursor) {
      signal.throwIfAborted();
      stats.docs++;
      const grid = grids.get(doc.classId);
      const column = axis.columnOf(doc.week);
      if (!grid || column === undefined) {
        stats.skipped++;
        continue;
      }
      const { correct, total } = scoreOf(doc.results);
      grid.add(scope.pupils.get(doc.pupilId), doc.pupilId, column, correct, total);
      if (stats.docs % BATCH_SIZE === 0) onDocs(stats.docs);
    }
  } finally {
    await cursor.close();
  }
  return { grids: [...grids.values()], stats };
}
