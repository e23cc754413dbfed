import { once } from 'node:events';
import type { Writable } from 'node:stream';
import { stringify } from 'csv-stringify/sync';
import { percent, type ClassGrid } from './class-grid';
import type { ReportScope } from './report-scope';
import type { WeekAxis } from './week-axis';

export const CSV_COLUMNS = ['school_id', 'class_id', 'class_name', 'pupil_id', 'family_name', 'given_name', 'week', 'correct', 'words', 'percent'];

type CsvRecord = (string | number)[];

/** A class's lines: one per test taken, or one with the score fields empty for a pupil with none. */
function classRecords(scope: ReportScope, axis: WeekAxis, grid: ClassGrid): CsvRecord[] {
  const records: CsvRecord[] = [];
  for (const row of grid.sortedRows()) {
    const who = [scope.school._id, grid.cls._id, grid.cls.name, row.pupilId, row.familyName, row.givenName];
    const before = records.length;
    for (let c = 0; c < axis.length; c++) {
      if (row.total[c] > 0) records.push([...who, axis.weeks[c], row.correct[c], row.total[c], percent(row.correct[c], row.total[c])!.toFixed(1)]);
    }
    if (records.length === before) records.push([...who, '', '', '', '']);
  }
  return records;
}

/**
 * One line per test taken, by class, pupil and week: the long form of the workbook, for other tools. A
 * pupil listed with no test in the range gets one line with the score fields empty. Starts with a UTF-8
 * byte-order mark, without which Excel reads the file as ANSI and garbles names such as Ørsted.
 * csv-stringify's synchronous form writes a class's lines as one string: one write to the upload per
 * class, not one per line through its Transform stream.
 */
export async function writeCsv(out: Writable, scope: ReportScope, axis: WeekAxis, grids: ClassGrid[]): Promise<void> {
  let first = true;
  for (const grid of grids) {
    const text = stringify(classRecords(scope, axis, grid), first ? { header: true, columns: CSV_COLUMNS, bom: true } : {});
    first = false;
    // Respect back-pressure: the upload drains `out` no faster than S3 takes it.
    if (!out.write(text)) await once(out, 'drain');
  }
  // A school with no class: the header alone.
  if (first) out.write(stringify([], { header: true, columns: CSV_COLUMNS, bom: true }));
}
