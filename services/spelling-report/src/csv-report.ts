import { once } from 'node:events';
import { pipeline } from 'node:stream/promises';
import type { Writable } from 'node:stream';
import { stringify } from 'csv-stringify';
import { percent, type ClassGrid } from './class-grid';
import type { ReportScope } from './report-scope';
import type { WeekAxis } from './week-axis';

export const CSV_COLUMNS = ['school_id', 'class_id', 'class_name', 'pupil_id', 'family_name', 'given_name', 'week', 'correct', 'words', 'percent'];

/**
 * One line per test taken, by class, pupil and week: the long form of the workbook, for other tools. A
 * pupil listed with no test in the range gets one line with the score fields empty. Starts with a UTF-8
 * byte-order mark, without which Excel reads the file as ANSI and garbles names such as Ørsted.
 */
export async function writeCsv(out: Writable, scope: ReportScope, axis: WeekAxis, grids: ClassGrid[]): Promise<void> {
  const csv = stringify({ header: true, columns: CSV_COLUMNS, bom: true });
  const piped = pipeline(csv, out, { end: false });
  for (const grid of grids) {
    for (const row of grid.sortedRows()) {
      const who = [scope.school._id, grid.cls._id, grid.cls.name, row.pupilId, row.familyName, row.givenName];
      let tests = 0;
      for (let c = 0; c < axis.length; c++) {
        if (row.total[c] === 0) continue;
        tests++;
        // Respect back-pressure: the upload drains `out` no faster than S3 takes it.
        if (!csv.write([...who, axis.weeks[c], row.correct[c], row.total[c], percent(row.correct[c], row.total[c])!.toFixed(1)])) await once(csv, 'drain');
      }
      if (tests === 0 && !csv.write([...who, '', '', '', ''])) await once(csv, 'drain');
    }
  }
  csv.end();
  await piped;
}
