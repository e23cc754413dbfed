import yauzl from 'yauzl';

/** When exceljs wrote the workbook: the one part that differs between two runs of the same report. */
const CORE_DATES = /(<dcterms:(created|modified) xsi:type="dcterms:W3CDTF">)[^<]*(<\/dcterms:\2>)/g;

/**
 * The parts of an xlsx (a zip) as text by name, sorted, with the creation time blanked: what two
 * writers of the same workbook must agree on byte for byte whatever their zip compression.
 */
export function xlsxParts(xlsx: Buffer): Promise<Record<string, string>> {
  return new Promise((resolve, reject) => {
    yauzl.fromBuffer(xlsx, { lazyEntries: true }, (err, zip) => {
      if (err) return reject(err);
      const parts = new Map<string, string>();
      zip.on('error', reject);
      zip.on('end', () => resolve(Object.fromEntries([...parts].sort(([a], [b]) => (a < b ? -1 : 1)))));
      zip.on('entry', (entry: yauzl.Entry) => {
        zip.openReadStream(entry, (openErr, stream) => {
          if (openErr) return reject(openErr);
          const chunks: Buffer[] = [];
          stream.on('data', (c: Buffer) => chunks.push(c));
          stream.on('error', reject);
          stream.on('end', () => {
            parts.set(entry.fileName, Buffer.concat(chunks).toString('utf8').replace(CORE_DATES, '$1-$3'));
            zip.readEntry();
          });
        });
      });
      zip.readEntry();
    });
  });
}
