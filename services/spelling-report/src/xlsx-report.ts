import type { Writable } from 'node:stream';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { ClassGrid, distinctPupils, percent } from './class-grid';
import type { ReportScope } from './report-scope';
import { uniqueSheetName } from './sheet-names';
import type { WeekAxis } from './week-axis';
import type { CellStyle } from './xlsx/cell-styles';
import { SheetXml, type CellValue, type StyleOf } from './xlsx/sheet-xml';
import { WorkbookWriter } from './xlsx/workbook-writer';
import { columnLetters } from './xlsx/column-letters';

export const XLSX_CONTENT_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
export const SUMMARY_SHEET = 'Summary';

export const SUMMARY_HEADERS = ['Class', 'Year group', 'Pupils', 'Tests taken', 'Average %', 'Lowest pupil average %', 'Highest pupil average %'];

/** Columns from this one (0-based) of the summary hold scores to one decimal. */
const SUMMARY_SCORES = 4;
/** The name columns of a class sheet, before its weeks. */
const NAME_COLUMNS = 3;

/**
 * A week cell: the score to one decimal, or no cell at all for a week without a test (the values are
 * rounded rather than formatted: the week columns carry no style).
 */
const weekCell = (value: number | undefined): number | undefined => (value === undefined ? undefined : Math.round(value * 10) / 10);

const headerStyle = (scoreColumn: (i: number) => boolean): StyleOf => (i) => (scoreColumn(i) ? 'scoreHeader' : 'header');

/** A total row: bold, a line above every value; a score column keeps its format. */
const totalStyle = (scoreColumn: (i: number) => boolean): StyleOf => (i, value) => {
  const score = scoreColumn(i);
  if (value === null) return score ? 'boldScore' : 'bold';
  return score ? 'scoreTotal' : 'total';
};

function writeSummary(sheet: SheetXml, scope: ReportScope, axis: WeekAxis, grids: ClassGrid[]): void {
  const isScore = (i: number): boolean => i >= SUMMARY_SCORES;
  sheet.row(SUMMARY_HEADERS, headerStyle(isScore));
  let tests = 0;
  let sum = 0;
  for (const grid of grids) {
    const s = grid.summary();
    sheet.row([grid.cls.name, grid.cls.yearGroup, s.pupils, s.tests, s.average ?? null, s.lowest ?? null, s.highest ?? null], (i) => (isScore(i) ? 'score' : 'plain'));
    tests += s.tests;
    sum += (s.average ?? 0) * s.tests;
  }
  // A pupil listed on two class sheets (one who moved class) is one pupil of the school.
  sheet.row([`${scope.school.name} (all classes)`, null, distinctPupils(grids), tests, tests ? sum / tests : null], totalStyle(isScore), 'bold');
  sheet.skipRow();
  const plain = (): CellStyle => 'plain';
  sheet.row([`Spelling scores: percent of words spelt right per weekly test; ${axis.describe(scope.from, scope.to)}.`], plain);
  sheet.row(['Pupils: those listed on the class sheet (the class\'s pupils, with or without a test, and any pupil with a test filed under the class); the school total counts each pupil once.'], plain);
  sheet.row(['A pupil average is the mean of the pupil\'s weekly scores; a class average weighs every test taken the same.'], plain);
}

function writeClassSheet(sheet: SheetXml, grid: ClassGrid, axis: WeekAxis): void {
  // Every week of the range, a week with no test too (its column stays empty).
  const weeks = axis.length;
  const average = NAME_COLUMNS + weeks;
  const isAverage = (i: number): boolean => i === average;
  sheet.row(['Pupil ID', 'Family name', 'Given name', ...axis.weeks.map((week) => `w/c ${week}`), 'Average %', 'Tests'], headerStyle(isAverage));
  const pupilStyle: StyleOf = (i) => (isAverage(i) ? 'boldScore' : 'plain');
  const rows = grid.sortedRows();
  const values: CellValue[] = new Array<CellValue>(average + 2);
  for (const row of rows) {
    values[0] = row.pupilId;
    values[1] = row.familyName;
    values[2] = row.givenName;
    for (let c = 0; c < weeks; c++) values[NAME_COLUMNS + c] = weekCell(percent(row.correct[c], row.total[c]));
    const stats = ClassGrid.rowStats(row);
    values[average] = stats.average ?? null;
    values[average + 1] = stats.tests;
    sheet.row(values, pupilStyle);
  }
  const footer: CellValue[] = ['Class average', null, null, ...axis.weeks.map((_week, c) => weekCell(grid.columnAverage(c))), grid.summary().average ?? null, null];
  sheet.row(footer, totalStyle(isAverage), 'bold');
  if (rows.length && weeks) sheet.colourScale(`${columnLetters(NAME_COLUMNS + 1)}2:${columnLetters(average + 1)}${rows.length + 2}`);
}

const CLASS_COLUMNS = (weeks: number) => [{ width: 16 }, { width: 14 }, { width: 12 }, ...Array.from({ length: weeks }, () => ({ width: 11 })), { width: 10, style: 'score' as const }, { width: 7 }];
const SUMMARY_COLUMNS = [{ width: 16 }, { width: 11 }, { width: 9 }, { width: 12 }, { width: 11, style: 'score' as const }, { width: 14, style: 'score' as const }, { width: 14, style: 'score' as const }];

/**
 * Streams the workbook: a summary sheet (first tab) and one sheet per class, each built as text and
 * handed to the zip (compressed off the JavaScript thread while the next is built). Header rows and the name columns are frozen.
 */
export async function writeWorkbook(out: Writable, scope: ReportScope, axis: WeekAxis, grids: ClassGrid[]): Promise<void> {
  const taken = new Set<string>();
  const names = [uniqueSheetName(SUMMARY_SHEET, taken), ...grids.map((grid) => uniqueSheetName(grid.cls.name, taken))];
  const wb = new WorkbookWriter(out, names, 'Taskyard', new Date());
  const summary = new SheetXml(wb.styles, { xSplit: 0, ySplit: 1 }, SUMMARY_COLUMNS);
  writeSummary(summary, scope, axis, grids);
  wb.addSheet(summary);
  for (const grid of grids) {
    const sheet = new SheetXml(wb.styles, { xSplit: NAME_COLUMNS, ySplit: 1 }, CLASS_COLUMNS(axis.length));
    writeClassSheet(sheet, grid, axis);
    wb.addSheet(sheet);
    // A turn of the event loop: the parts deflated meanwhile go out while the next sheet is built.
    await nextTurn();
  }
  await wb.finish();
}
