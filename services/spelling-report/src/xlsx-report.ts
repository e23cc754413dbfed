import type { Writable } from 'node:stream';
import ExcelJS from 'exceljs';
import { ClassGrid, distinctPupils, percent } from './class-grid';
import type { ReportScope } from './report-scope';
import { uniqueSheetName } from './sheet-names';
import type { WeekAxis } from './week-axis';

export const XLSX_CONTENT_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
export const SUMMARY_SHEET = 'Summary';

const SCORE_FORMAT = '0.0';
const HEADER_FILL: ExcelJS.Fill = { type: 'pattern', pattern: 'solid', fgColor: { argb: 'FF1F4E78' } };
const HEADER_FONT: Partial<ExcelJS.Font> = { bold: true, color: { argb: 'FFFFFFFF' } };
const TOTAL_BORDER: Partial<ExcelJS.Borders> = { top: { style: 'thin' } };

export const SUMMARY_HEADERS = ['Class', 'Year group', 'Pupils', 'Tests taken', 'Average %', 'Lowest pupil average %', 'Highest pupil average %'];

/**
 * A week cell: the score to one decimal, or no cell at all for a week without a test (exceljs makes a
 * cell, with its style lookup, for a null; a whole year's empty weeks made the report ~20% slower).
 */
const weekCell = (value: number | undefined): number | undefined => (value === undefined ? undefined : Math.round(value * 10) / 10);

function styleHeader(row: ExcelJS.Row): void {
  row.eachCell((cell) => {
    cell.fill = HEADER_FILL;
    cell.font = HEADER_FONT;
    cell.alignment = { vertical: 'middle', horizontal: 'center', wrapText: true };
  });
}

/** Red to green from 0 to 100%, so weak weeks and pupils stand out. */
function colourScale(ws: ExcelJS.Worksheet, ref: string): void {
  ws.addConditionalFormatting({
    ref,
    rules: [
      {
        type: 'colorScale',
        priority: 1,
        cfvo: [{ type: 'num', value: 0 }, { type: 'num', value: 50 }, { type: 'num', value: 100 }],
        color: [{ argb: 'FFF8696B' }, { argb: 'FFFFEB84' }, { argb: 'FF63BE7B' }],
      },
    ],
  });
}

function writeSummary(ws: ExcelJS.Worksheet, scope: ReportScope, axis: WeekAxis, grids: ClassGrid[]): void {
  ws.columns = [{ width: 16 }, { width: 11 }, { width: 9 }, { width: 12 }, { width: 11, style: { numFmt: SCORE_FORMAT } }, { width: 14, style: { numFmt: SCORE_FORMAT } }, { width: 14, style: { numFmt: SCORE_FORMAT } }];
  styleHeader(ws.addRow(SUMMARY_HEADERS));
  let tests = 0;
  let sum = 0;
  for (const grid of grids) {
    const s = grid.summary();
    ws.addRow([grid.cls.name, grid.cls.yearGroup, s.pupils, s.tests, s.average ?? null, s.lowest ?? null, s.highest ?? null]).commit();
    tests += s.tests;
    sum += (s.average ?? 0) * s.tests;
  }
  // A pupil listed on two class sheets (one who moved class) is one pupil of the school.
  const total = ws.addRow([`${scope.school.name} (all classes)`, null, distinctPupils(grids), tests, tests ? sum / tests : null]);
  total.font = { bold: true };
  total.eachCell((cell) => (cell.border = TOTAL_BORDER));
  total.commit();
  ws.addRow([]).commit();
  ws.addRow([`Spelling scores: percent of words spelt right per weekly test; ${axis.describe(scope.from, scope.to)}.`]).commit();
  ws.addRow(['Pupils: those listed on the class sheet (the class\'s pupils, with or without a test, and any pupil with a test filed under the class); the school total counts each pupil once.']).commit();
  ws.addRow(['A pupil average is the mean of the pupil\'s weekly scores; a class average weighs every test taken the same.']).commit();
}

function writeClassSheet(ws: ExcelJS.Worksheet, grid: ClassGrid, axis: WeekAxis): void {
  // Every week of the range, a week with no test too (its column stays empty).
  const columns = axis.weeks.map((_week, c) => c);
  ws.columns = [
    { width: 16 },
    { width: 14 },
    { width: 12 },
    // No style on the week cells: exceljs looks a cell's style up per cell, the bulk of its time here;
    // the values are rounded to one decimal instead.
    ...columns.map(() => ({ width: 11 })),
    { width: 10, style: { numFmt: SCORE_FORMAT } },
    { width: 7 },
  ];
  styleHeader(ws.addRow(['Pupil ID', 'Family name', 'Given name', ...columns.map((c) => `w/c ${axis.weeks[c]}`), 'Average %', 'Tests']));
  const rows = grid.sortedRows();
  for (const row of rows) {
    const stats = ClassGrid.rowStats(row);
    const r = ws.addRow([row.pupilId, row.familyName, row.givenName, ...columns.map((c) => weekCell(percent(row.correct[c], row.total[c]))), stats.average ?? null, stats.tests]);
    r.getCell(columns.length + 4).font = { bold: true };
    r.commit();
  }
  const classAverage = grid.summary().average;
  const footer = ws.addRow(['Class average', null, null, ...columns.map((c) => weekCell(grid.columnAverage(c))), classAverage ?? null, null]);
  footer.font = { bold: true };
  footer.eachCell((cell) => (cell.border = TOTAL_BORDER));
  footer.commit();
  if (rows.length && columns.length) {
    const first = ws.getColumn(4).letter;
    const last = ws.getColumn(columns.length + 4).letter;
    colourScale(ws, `${first}2:${last}${rows.length + 2}`);
  }
}

/**
 * Streams the workbook: a summary sheet (first tab) and one sheet per class, each committed before the
 * next starts so the writer holds one sheet's rows at a time. Header rows and the name columns are
 * frozen.
 */
export async function writeWorkbook(out: Writable, scope: ReportScope, axis: WeekAxis, grids: ClassGrid[]): Promise<void> {
  const wb = new ExcelJS.stream.xlsx.WorkbookWriter({ stream: out, useStyles: true, useSharedStrings: false });
  wb.creator = 'Taskyard';
  wb.created = new Date();
  const taken = new Set<string>();
  const summary = wb.addWorksheet(uniqueSheetName(SUMMARY_SHEET, taken), { views: [{ state: 'frozen', ySplit: 1 }] });
  writeSummary(summary, scope, axis, grids);
  summary.commit();
  for (const grid of grids) {
    const ws = wb.addWorksheet(uniqueSheetName(grid.cls.name, taken), { views: [{ state: 'frozen', xSplit: 3, ySplit: 1 }] });
    writeClassSheet(ws, grid, axis);
    ws.commit();
  }
  await wb.commit();
}
