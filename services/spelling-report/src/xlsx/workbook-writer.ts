import type { Writable } from 'node:stream';
import { CellStyles } from './cell-styles';
import type { SheetXml } from './sheet-xml';
import { appXml, contentTypesXml, coreXml, ROOT_RELS_XML, THEME_XML, workbookRelsXml, workbookXml } from './workbook-parts';
import { ZipWriter } from './zip-writer';

/**
 * zlib's level for the parts. Level 1 against the default 6 on a whole school's workbook (1.4 MB of
 * XML): see bench/job-services.md, Session 7.
 */
const DEFLATE_LEVEL = 6;

/**
 * An xlsx streamed to `out`: its sheets (named up front, in tab order) are added one at a time, each
 * compressed and written while the next is built; the styles they used are written last.
 */
export class WorkbookWriter {
  readonly styles = new CellStyles();
  private readonly zip: ZipWriter;
  private added = 0;

  constructor(
    out: Writable,
    private readonly names: string[],
    creator: string,
    created: Date,
  ) {
    this.zip = new ZipWriter(out, created, DEFLATE_LEVEL);
    this.zip.add('[Content_Types].xml', contentTypesXml(names.length));
    this.zip.add('_rels/.rels', ROOT_RELS_XML);
    this.zip.add('docProps/app.xml', appXml(names));
    this.zip.add('docProps/core.xml', coreXml(creator, created));
    this.zip.add('xl/workbook.xml', workbookXml(names));
    this.zip.add('xl/_rels/workbook.xml.rels', workbookRelsXml(names.length));
    this.zip.add('xl/theme/theme1.xml', THEME_XML);
  }

  /** The next sheet, in the order of the names given; resolves once it is written out. */
  addSheet(sheet: SheetXml): Promise<void> {
    if (this.added >= this.names.length) throw new Error(`more sheets than the ${this.names.length} named`);
    return this.zip.add(`xl/worksheets/sheet${++this.added}.xml`, sheet.toXml());
  }

  async finish(): Promise<void> {
    if (this.added !== this.names.length) throw new Error(`${this.added} sheets added of the ${this.names.length} named`);
    this.zip.add('xl/styles.xml', this.styles.toXml());
    await this.zip.finish();
  }
}
