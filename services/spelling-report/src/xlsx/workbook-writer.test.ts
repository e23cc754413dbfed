import { PassThrough, Writable } from 'node:stream';
import { SheetXml } from './sheet-xml';
import { WorkbookWriter } from './workbook-writer';

const CREATED = new Date('2025-01-06T10:00:00Z');

function sheetOf(wb: WorkbookWriter, text: string): SheetXml {
  const sheet = new SheetXml(wb.styles, { xSplit: 0, ySplit: 1 }, [{ width: 12 }]);
  sheet.row([text], () => 'plain');
  return sheet;
}

/** A destination that refuses its first write, as an upload that failed does. */
const failing = (): Writable =>
  new Writable({
    write(_chunk, _encoding, done) {
      done(new Error('upload refused'));
    },
  });

test('a destination that fails makes finish() reject with its error', async () => {
  const wb = new WorkbookWriter(failing(), ['One', 'Two'], 'Taskyard', CREATED);
  wb.addSheet(sheetOf(wb, 'first'));
  wb.addSheet(sheetOf(wb, 'second'));
  await expect(wb.finish()).rejects.toThrow('upload refused');
});

test('the workbook is written whole, and the destination is left for its owner to end', async () => {
  const out = new PassThrough();
  const chunks: Buffer[] = [];
  out.on('data', (chunk: Buffer) => chunks.push(chunk));
  const wb = new WorkbookWriter(out, ['One'], 'Taskyard', CREATED);
  wb.addSheet(sheetOf(wb, 'only'));
  await wb.finish();
  const zip = Buffer.concat(chunks);
  // A zip ends with its end-of-central-directory record: signature, then the entry counts (9 parts).
  const end = zip.subarray(zip.length - 22);
  expect(end.readUInt32LE(0)).toBe(0x06054b50);
  expect(end.readUInt16LE(10)).toBe(9);
  expect(out.writableEnded).toBe(false);
});

test('sheets must match the names given', async () => {
  const wb = new WorkbookWriter(new PassThrough(), ['One'], 'Taskyard', CREATED);
  await expect(wb.finish()).rejects.toThrow('0 sheets added of the 1 named');
  wb.addSheet(sheetOf(wb, 'only'));
  expect(() => wb.addSheet(sheetOf(wb, 'extra'))).toThrow('more sheets than the 1 named');
});
