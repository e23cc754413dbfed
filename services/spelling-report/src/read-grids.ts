import { mongo, type Connection } from 'mongoose';
import { schoolModels, scoreOf, type SpellingWeekRecord } from '@taskyard/school-data';
import { ClassGrid } from './class-grid';
import { readRawTest, type RawTest } from './raw-test';
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

/** A document not of the plain shape, decoded as any document is (and scored as libs/school-data scores). */
function decodedTest(doc: Buffer, into: RawTest): void {
  const test = mongo.BSON.deserialize(doc) as TestFields;
  const { correct, total } = scoreOf(test.results);
  Object.assign(into, { classId: test.classId, pupilId: test.pupilId, week: test.week, correct, total });
}

/**
 * Reads every test of the report with ONE cursor (one sequential scan on FerretDB, whose per-class
 * queries would each scan the whole collection) and folds each document into two bytes per cell as it
 * arrives, so only the cells stay in memory (about 80 KB for a school year), never the documents. The
 * documents come as raw BSON, a batch at a time: the fields are read from the bytes (raw-test.ts).
 */
export async function readCells(db: Connection, target: ReportTarget, axis: WeekAxis, signal: AbortSignal, onDocs: (docs: number) => void): Promise<{ cells: Cells; stats: ReadStats }> {
  const cells: Cells = new Map();
  const stats: ReadStats = { docs: 0, skipped: 0 };
  const test: RawTest = { classId: '', pupilId: '', week: '', correct: 0, total: 0 };
  const fold = (doc: Buffer): void => {
    if (!readRawTest(doc, test)) decodedTest(doc, test);
    stats.docs++;
    const column = axis.columnOf(test.week);
    if (column === undefined) {
      stats.skipped++;
      return;
    }
    let pupils = cells.get(test.classId);
    if (!pupils) cells.set(test.classId, (pupils = new Map()));
    let row = pupils.get(test.pupilId);
    if (!row) pupils.set(test.pupilId, (row = { correct: new Uint8Array(axis.length), total: new Uint8Array(axis.length) }));
    row.correct[column] = Math.min(test.correct, 255);
    row.total[column] = Math.min(test.total, 255);
  };
  const cursor = schoolModels(db).SpellingWeek.collection.find(target.filter, {
    projection: { _id: 0, classId: 1, pupilId: 1, week: 1, results: 1 },
    batchSize: BATCH_SIZE,
    raw: true,
  }) as unknown as mongo.FindCursor<Buffer>;
  try {
    // One await per batch, not per document: the rest of the batch is already in the driver's buffer.
    for await (const first of cursor) {
      signal.throwIfAborted();
      fold(first);
      for (const doc of cursor.readBufferedDocuments()) fold(doc);
      onDocs(stats.docs);
    }
    // A cancel during the last batch stops the report here, before any file is written.
    signal.throwIfAborted();
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
