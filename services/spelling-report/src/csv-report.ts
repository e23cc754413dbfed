import { once } from 'node:events';
import type { Writable } from 'node:stream';
import { percent, type ClassGrid } from './class-grid';
import type { ReportScope } from './report-scope';
import type { WeekAxis } from './week-axis';

export const CSV_COLUMNS = ['school_id', 'class_id', 'class_name', 'pupil_id', 'family_name', 'given_name', 'week', 'correct', 'words', 'percent'];

/** UTF-8 byte-order mark, without which Excel reads the file as ANSI and garbles names such as Ørsted. */
const BOM = '\ufeff';
/** Text is handed to the stream in pieces of about this many characters. */
const CHUNK = 64 * 1024;
const NEEDS_QUOTES = /[",\n]/;

/** A field as csv-stringify 6 wrote it by default: quoted if it holds a comma, quote or newline. */
export const csvField = (text: string): string => (NEEDS_QUOTES.test(text) ? `"${text.replaceAll('"', '""')}"` : text);

/**
 * One line per test taken, by class, pupil and week: the long form of the workbook, for other tools. A
 * pupil listed with no test in the range gets one line with the score fields empty. The lines are built
 * as text (a pupil's six name fields once for all of their weeks), the same bytes csv-stringify wrote
 * at a fraction of its per-field cost.
 */
export async function writeCsv(out: Writable, scope: ReportScope, axis: WeekAxis, grids: ClassGrid[]): Promise<void> {
  let text = `${BOM}${CSV_COLUMNS.join(',')}\n`;
  for (const grid of grids) {
    const cls = `${csvField(scope.school._id)},${csvField(grid.cls._id)},${csvField(grid.cls.name)},`;
    for (const row of grid.sortedRows()) {
      const who = `${cls}${csvField(row.pupilId)},${csvField(row.familyName)},${csvField(row.givenName)},`;
      let tests = 0;
      for (let c = 0; c < axis.length; c++) {
        if (row.total[c] === 0) continue;
        tests++;
        text += `${who}${axis.weeks[c]},${row.correct[c]},${row.total[c]},${percent(row.correct[c], row.total[c])!.toFixed(1)}\n`;
      }
      if (tests === 0) text += `${who},,,\n`;
      if (text.length >= CHUNK) {
        // Respect back-pressure: the upload drains `out` no faster than S3 takes it.
        if (!out.write(text)) await once(out, 'drain');
        text = '';
      }
    }
  }
  out.write(text);
}
