import type { CellStyle, CellStyles } from './cell-styles';
import { columnLetters } from './column-letters';
import { xmlText } from './xml-text';

export interface ColumnSpec {
  width: number;
  /** The column's style: its cells' style unless they have their own. */
  style?: CellStyle;
}

/** A cell's value: `null` is a cell with no value (it shows a style), `undefined` no cell at all. */
export type CellValue = string | number | null | undefined;

/** The style of the cell at `index` (0-based) of a row holding `value`. */
export type StyleOf = (index: number, value: string | number | null) => CellStyle;

const OPEN =
  '<?xml version="1.0" encoding="UTF-8" standalone="yes"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships" xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006" mc:Ignorable="x14ac" xmlns:x14ac="http://schemas.microsoft.com/office/spreadsheetml/2009/9/ac">';
const FORMAT = '<sheetFormatPr defaultRowHeight="15" outlineLevelRow="0" outlineLevelCol="0" x14ac:dyDescent="55"/>';
const CLOSE =
  '<pageMargins left="0.7" right="0.7" top="0.75" bottom="0.75" header="0.3" footer="0.3"/><pageSetup orientation="portrait" horizontalDpi="4294967295" verticalDpi="4294967295" scale="100" fitToWidth="1" fitToHeight="1"/></worksheet>';
/** Excel's default width: a column of it and no style needs no entry. */
const DEFAULT_WIDTH = 9;

function frozenView(xSplit: number, ySplit: number): string {
  const pane = xSplit ? 'bottomRight' : 'bottomLeft';
  const split = `${xSplit ? ` xSplit="${xSplit}"` : ''} ySplit="${ySplit}"`;
  return `<sheetViews><sheetView workbookViewId="0"><pane${split} topLeftCell="${columnLetters(xSplit + 1)}${ySplit + 1}" activePane="${pane}" state="frozen"/><selection pane="${pane}"/></sheetView></sheetViews>`;
}

/** Neighbouring columns alike are one entry. */
function colsXml(columns: ColumnSpec[], styles: CellStyles): string {
  let xml = '';
  for (let i = 0; i < columns.length; ) {
    const { width, style } = columns[i];
    let last = i;
    while (last + 1 < columns.length && columns[last + 1].width === width && columns[last + 1].style === style) last++;
    if (width !== DEFAULT_WIDTH || style) xml += `<col min="${i + 1}" max="${last + 1}" width="${width}"${style ? ` style="${styles.id(style)}"` : ''} customWidth="1"/>`;
    i = last + 1;
  }
  return `<cols>${xml}</cols>`;
}

/**
 * One worksheet's XML, row by row, as exceljs's streaming writer wrote it for the report (values
 * inline, no shared strings). Building the text directly costs a fraction of exceljs's cell objects
 * and per-cell style look-ups (issue 19).
 */
export class SheetXml {
  private xml: string;
  private rows = 0;
  private readonly styles: CellStyles;
  private colourScaleRef = '';

  constructor(styles: CellStyles, frozen: { xSplit: number; ySplit: number }, columns: ColumnSpec[]) {
    this.styles = styles;
    this.xml = `${OPEN}${frozenView(frozen.xSplit, frozen.ySplit)}${FORMAT}${colsXml(columns, styles)}<sheetData>`;
  }

  /** The number the next row gets. */
  get nextRow(): number {
    return this.rows + 1;
  }

  /** An empty row: it takes a number and writes nothing. */
  skipRow(): void {
    this.rows++;
  }

  /** A row of cells from column A; `rowStyle` is the style of the row itself (of its empty cells in Excel). */
  row(values: readonly CellValue[], styleOf: StyleOf, rowStyle?: CellStyle): void {
    const r = ++this.rows;
    // A row with no value is not written; its styles are numbered from its own, then its cells' (as exceljs did).
    if (!values.some((v) => v !== undefined && v !== null)) return;
    const own = rowStyle ? ` s="${this.styles.id(rowStyle)}" customFormat="1"` : '';
    let cells = '';
    let min = 0;
    let max = 0;
    for (let i = 0; i < values.length; i++) {
      const value = values[i];
      if (value === undefined) continue;
      if (!min) min = i + 1;
      max = i + 1;
      const s = this.styles.id(styleOf(i, value));
      const ref = `${columnLetters(i + 1)}${r}`;
      const attrs = s ? ` r="${ref}" s="${s}"` : ` r="${ref}"`;
      if (value === null) {
        if (s) cells += `<c${attrs}/>`;
      } else if (typeof value === 'number') cells += `<c${attrs}><v>${value}</v></c>`;
      else cells += `<c${attrs} t="str"><v>${xmlText(value)}</v></c>`;
    }
    this.xml += `<row r="${r}" spans="${min}:${max}"${own} x14ac:dyDescent="0.25">${cells}</row>`;
  }

  /** Red to green from 0 to 100 over `ref`, so weak weeks and pupils stand out. */
  colourScale(ref: string): void {
    this.colourScaleRef = ref;
  }

  toXml(): string {
    const scale = this.colourScaleRef
      ? `<conditionalFormatting sqref="${this.colourScaleRef}"><cfRule type="colorScale" priority="1"><colorScale><cfvo type="num" val="0"/><cfvo type="num" val="50"/><cfvo type="num" val="100"/><color rgb="FFF8696B"/><color rgb="FFFFEB84"/><color rgb="FF63BE7B"/></colorScale></cfRule></conditionalFormatting>`
      : '';
    return `${this.xml}</sheetData>${scale}${CLOSE}`;
  }
}
