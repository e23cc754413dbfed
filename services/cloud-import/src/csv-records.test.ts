import { CsvRecords } from './csv-records';

type Seen = (string[] | string)[];

/** Splits `text` fed in the given pieces: records as arrays, unreadable records as their reason. */
function split(pieces: string[], maxRecordChars = 1000): Seen {
  const seen: Seen = [];
  const out = { record: (f: string[]) => void seen.push(f), unreadable: (reason: string) => void seen.push(reason) };
  const records = new CsvRecords(maxRecordChars);
  for (const p of pieces) records.push(p, out);
  records.end(out);
  return seen;
}

/** The same text cut at every place (and in one piece) gives the same records. */
function everyCut(text: string): Seen {
  const whole = split([text]);
  for (let i = 0; i <= text.length; i++) expect([i, split([text.slice(0, i), text.slice(i)])]).toEqual([i, whole]);
  expect(split([...text])).toEqual(whole);
  return whole;
}

test('plain and quoted fields, "" for a quote, line breaks and commas inside quotes, empty fields', () => {
  expect(everyCut('a,b,c\n1,"x,y",""\n"say ""hi""","two\nlines",\n')).toEqual([
    ['a', 'b', 'c'],
    ['1', 'x,y', ''],
    ['say "hi"', 'two\nlines', ''],
  ]);
});

test('LF, CRLF and lone-CR files; a last record without a line break; empty lines skipped; a BOM dropped', () => {
  const want = [['a', 'b'], ['1', '2'], ['3', 'q']];
  expect(everyCut('\ufeffa,b\n1,2\n\n3,"q"')).toEqual(want);
  expect(everyCut('a,b\r\n1,2\r\n\r\n3,"q"\r\n')).toEqual(want);
  expect(everyCut('a,b\r1,2\r\r3,"q"\r')).toEqual(want);
  expect(everyCut('"a",b\r\n"1","2"\r\n3,"q"')).toEqual(want);
});

test('an unreadable record is reported and skipped to the end of its line; the next records are read', () => {
  expect(everyCut('a,b\nx"y,2\n"ok",1\n"ab"c,2\n5,6\n')).toEqual([
    ['a', 'b'],
    expect.stringMatching(/^unreadable CSV: a quote inside a field/),
    ['ok', '1'],
    expect.stringMatching(/^unreadable CSV: "c" after the closing quote/),
    ['5', '6'],
  ]);
  expect(everyCut('a,b\n1,"never closed\n2,3\n')).toEqual([['a', 'b'], 'a quoted field is not closed before the end of the file']);
});

test('a record longer than the cap refuses the file, whether it is in one chunk or many', () => {
  const long = `a,b\n1,${'x'.repeat(50)}\n`;
  expect(() => split([long], 40)).toThrow(expect.objectContaining({ code: 'record-too-large', message: 'row 2 of the file is longer than 40 characters; the file is refused' }));
  expect(() => split([...long], 40)).toThrow(expect.objectContaining({ code: 'record-too-large' }));
  expect(() => split([`a\n"${'y'.repeat(50)}`, 'z"\n'], 40)).toThrow(expect.objectContaining({ code: 'record-too-large' }));
  expect(split([long], 60)).toEqual([['a', 'b'], ['1', 'x'.repeat(50)]]);
});

test('a record after an unreadable one is read from its own line, whatever quotes follow (papaparse alone would join them)', () => {
  expect(everyCut('a,b\n"ab"c,2\n"5",6\r\n7,"x""y"\n')).toEqual([
    ['a', 'b'],
    expect.stringMatching(/^unreadable CSV: "c" after the closing quote/),
    ['5', '6'],
    ['7', 'x"y'],
  ]);
  expect(everyCut('a,b\r\n1,x"y\r\n"2","3"\r\n')).toEqual([['a', 'b'], 'unreadable CSV: a quote inside a field that does not start with one ("x\\"")', ['2', '3']]);
});

/** A field as a spreadsheet writes it: quoted when it holds a comma, quote or line break. */
const csvField = (v: string): string => (/[",\r\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v);

test('random records of quotes, commas, CR, LF and spaces come back as written, in chunks of any size, LF or CRLF', () => {
  let seed = 19;
  const rand = (n: number): number => (seed = (seed * 1103515245 + 12345) % 2147483648) % n;
  const alphabet = ['a', 'b', ' ', ',', '"', '\n', '\r', '\r\n', 'é', '""'];
  for (let round = 0; round < 300; round++) {
    const width = 1 + rand(4);
    const records = Array.from({ length: 1 + rand(30) }, () => Array.from({ length: width }, () => Array.from({ length: rand(6) }, () => alphabet[rand(alphabet.length)]).join('')));
    // A one-field record that is empty is an empty line, which is skipped: give it text.
    for (const r of records) if (width === 1 && r[0] === '') r[0] = 'x';
    const eol = round % 2 ? '\r\n' : '\n';
    const text = records.map((r) => r.map(csvField).join(',')).join(eol) + (rand(2) ? eol : '');
    const pieces: string[] = [];
    for (let at = 0; at < text.length; ) {
      const n = 1 + rand(40);
      pieces.push(text.slice(at, at + n));
      at += n;
    }
    expect([round, split(pieces)]).toEqual([round, records]);
  }
});
