import type { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { ZipFile } from 'yazl';
import { CellStyles } from './cell-styles';
import type { SheetXml } from './sheet-xml';
import { appXml, contentTypesXml, coreXml, ROOT_RELS_XML, THEME_XML, workbookRelsXml, workbookXml } from './workbook-parts';

/**
 * zlib's level for the parts: the default 6 makes a school's workbook 224 KB (level 1: 259 KB, for 9
 * against 20 CPU-ms on libuv's threads, off the JavaScript thread either way).
 */
const DEFLATE_LEVEL = 6;

/**
 * An xlsx streamed to `out`: its sheets (named up front, in tab order) are added one at a time, the
 * styles they used last. The zip container is yazl's: each part is deflated by zlib on libuv's threads
 * as soon as it is added, while the next sheet is built, and written out in the order added.
 *
 * The whole workbook's compressed parts may wait in yazl's output until the upload takes them (a
 * school's: 224 KB).
 *
 * Why the sheets' XML is built here (sheet-xml.ts) and not by exceljs (issue 19: the report at most
 * 1.3x a bare read). exceljs 4.4's streaming writer, used the cheap way (stream.xlsx.WorkbookWriter,
 * useStyles with one shared style object per style, so its style cache hits; no shared strings; a row
 * committed at a time; zlib level 6), wrote the same parts (the golden test passed unchanged), but a
 * whole school's writing cost 0.40-0.45 CPU-s against 0.16 (a Cell, a row model and an XmlStream per
 * row, archiver's streams; in a fresh process the first workbook 216-270 CPU-ms against 66-101 here,
 * bench/spelling-report/write-only.ts). In 8 sittings of bench/spelling-report/run.ts (4-8 rounds
 * each, load 6-18) its report was 1.2-2.3x a bare read (median of the rounds' ratios; over 1.3x in 7)
 * against 0.8-1.8x for the hand-written writer in the same rounds (slower than it in 7).
 * bench/job-services.md, Session 8.
 */
export class WorkbookWriter {
  readonly styles = new CellStyles();
  private readonly zip = new ZipFile();
  private readonly written: Promise<void>;
  private added = 0;

  constructor(
    out: Writable,
    private readonly names: string[],
    creator: string,
    private readonly created: Date,
  ) {
    // Not ended here: the caller ends `out` (an upload) once the workbook is complete.
    this.written = pipeline(this.zip.outputStream, out, { end: false });
    // finish() reports a failed upload; until then its rejection must not count as unhandled.
    this.written.catch(() => undefined);
    this.add('[Content_Types].xml', contentTypesXml(names.length));
    this.add('_rels/.rels', ROOT_RELS_XML);
    this.add('docProps/app.xml', appXml(names));
    this.add('docProps/core.xml', coreXml(creator, created));
    this.add('xl/workbook.xml', workbookXml(names));
    this.add('xl/_rels/workbook.xml.rels', workbookRelsXml(names.length));
    this.add('xl/theme/theme1.xml', THEME_XML);
  }

  /** The next sheet, in the order of the names given. */
  addSheet(sheet: SheetXml): void {
    if (this.added >= this.names.length) throw new Error(`more sheets than the ${this.names.length} named`);
    this.add(`xl/worksheets/sheet${++this.added}.xml`, sheet.toXml());
  }

  /** Adds the styles, closes the zip and resolves once all of it is written to `out`. */
  async finish(): Promise<void> {
    if (this.added !== this.names.length) throw new Error(`${this.added} sheets added of the ${this.names.length} named`);
    this.add('xl/styles.xml', this.styles.toXml());
    this.zip.end();
    await this.written;
  }

  private add(name: string, xml: string): void {
    this.zip.addBuffer(Buffer.from(xml, 'utf8'), name, { mtime: this.created, compressionLevel: DEFLATE_LEVEL });
  }
}
