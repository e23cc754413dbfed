import Papa from 'papaparse';
import { PermanentJobError } from '@taskyard/worker';

/** What the splitter hands on: each record's fields (untrimmed), or why a record could not be read. */
export interface RecordsOut {
  record(fields: string[]): void;
  unreadable(reason: string): void;
}

const QUOTE = 34; // "
const CR = 13;
const LF = 10;

/** A record papaparse could not read, and where in the text its problem is. */
interface Problem {
  reason: string;
  at: number;
}

/** How one papaparse run over the text ended: where the unread rest starts, or at a record it could not read. */
interface Run {
  next: number;
  problem?: Problem;
}

/**
 * Splits CSV text into records as spreadsheets write it (RFC 4180): comma-separated, `"`-quoted fields
 * with `""` for a quote, records ended by LF, CRLF or (a file whose first line break is one) a lone CR,
 * a UTF-8 byte-order mark dropped, empty lines skipped. Text comes in chunks of any size.
 *
 * papaparse's Parser splits the text: a chunk without a quote (nearly every chunk of an export) is cut with
 * split. bench/cloud-import/csv-readers.ts, the 34 MB of spelling rows of a 1,000,000-row zip: this ~240
 * CPU-ms, papaparse's own stream API ~190, the hand-written splitter this replaced ~170, csv-parse 6 with
 * the strict options ~1,150 (why ca93ecb dropped it: 40% of the import's CPU).
 * papaparse reads malformed quoting leniently (a quote inside an unquoted field is text; a quote after a
 * closing one makes it look further, across lines, for a close), so each record with a quote is checked here:
 * a record that cannot be read (a quote inside an unquoted field, text after a closing quote, a quote never
 * closed) is reported and skipped up to the end of the line its problem is on, the rest of the file read as
 * before. A record longer than `maxRecordChars` refuses the file: without that cap one huge line (a few MB of
 * zip) would be held whole. Spaces between a closing quote and the comma are let stand (papaparse's reading;
 * the hand-written splitter refused the record; fields are trimmed anyway).
 */
export class CsvRecords {
  private carry = '';
  private started = false;
  /** The record delimiter, known from the first line break on ('\n' also ends CRLF records: their CR is dropped). */
  private eol?: string;
  /** Where the record being read starts, in the text being parsed. */
  private rowStart = 0;
  /** The first quote at or after rowStart (2^32 - 1: none); looked up again only once passed. */
  private quote = -1;
  /** Records seen so far, the unreadable ones too (the next record's number is this + 1). */
  records = 0;

  /** `file` names the file in the refusal of a record over the cap. */
  constructor(
    private readonly maxRecordChars: number,
    private readonly file = 'the file',
  ) {}

  push(chunk: string, out: RecordsOut): void {
    let text = this.carry + chunk;
    if (!this.started && text.length) {
      this.started = true;
      if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    }
    this.eol ??= lineBreakOf(text, false);
    this.carry = this.eol === undefined ? text : text.slice(this.parse(text, out, false));
    this.checkSize(this.carry.length);
  }

  /** The end of the text: a last record without a line break is a record too. */
  end(out: RecordsOut): void {
    const text = this.carry;
    this.carry = '';
    this.eol ??= lineBreakOf(text, true) ?? '\n';
    if (text.length) this.parse(text, out, true);
  }

  /** Emits every complete record of `text`, skipping unreadable ones; returns where the unfinished rest starts. */
  private parse(text: string, out: RecordsOut, last: boolean): number {
    let at = 0;
    for (;;) {
      const { next, problem } = this.run(text, at, last, out);
      if (!problem) return next;
      const lineEnd = text.indexOf(this.eol!, problem.at);
      // The problem's line goes on in the next chunk: the record is read again with it (a problem may be a
      // line break's CR papaparse took for text, and the skip goes to the line's end).
      if (lineEnd < 0 && !last) return next;
      this.records++;
      out.unreadable(problem.reason);
      at = lineEnd < 0 ? text.length : lineEnd + this.eol!.length;
    }
  }

  /** One papaparse run from `from` until the text's end or a record it cannot read. */
  private run(text: string, from: number, last: boolean, out: RecordsOut): Run {
    let problem: Problem | undefined;
    this.rowStart = from;
    this.quote = -1;
    const parser = new Papa.Parser({
      delimiter: ',',
      newline: this.eol as Papa.ParseConfig['newline'],
      step: (result: Papa.ParseStepResult<string[][]>) => {
        const error = result.errors[0] as Papa.ParseError | undefined;
        problem = error ? this.unreadable(text, error, from) : this.step(text, from + result.meta.cursor, result.data[0], out);
        // A record it could not read: papaparse may have joined lines after it into it, so it is read again after its line.
        if (problem) parser.abort();
      },
    });
    const rest = parser.parse(text.slice(from), 0, !last) as Papa.ParseResult<string[]>;
    if (problem) return { next: this.rowStart, problem };
    // A quote after a closing one in the unfinished last record: papaparse waits for text that cannot make it readable.
    const bad = rest.errors[0] as Papa.ParseError | undefined;
    return { next: this.rowStart, problem: bad && this.unreadable(text, bad, from) };
  }

  /** Why papaparse could not read a record (a run over the text from `from`), and where its problem is. */
  private unreadable(text: string, error: Papa.ParseError, from: number): Problem {
    if (error.code === 'InvalidQuotes') return afterClosingQuote(text, from + (error.index ?? 0));
    return { reason: 'a quoted field is not closed before the end of the file', at: text.length };
  }

  /** One record papaparse read, ending at `end`: handed on, or the problem that makes it unreadable. */
  private step(text: string, end: number, fields: string[], out: RecordsOut): Problem | undefined {
    const start = this.rowStart;
    const lineEnd = text.charCodeAt(end - 1) === LF || (this.eol === '\r' && text.charCodeAt(end - 1) === CR) ? end - 1 : end;
    this.checkSize(lineEnd - start);
    if (this.quote < start) this.quote = text.indexOf('"', start) >>> 0;
    const quoted = this.quote < end;
    const stray = quoted ? strayQuote(text, start, fields) : undefined;
    if (stray) return { reason: `unreadable CSV: a quote inside a field that does not start with one (${JSON.stringify(text.slice(stray.from, stray.at + 1))})`, at: stray.at };
    this.rowStart = end;
    const lastField = fields.length - 1;
    // CRLF: the CR belongs to the line break (an unquoted field's; a quoted one's papaparse drops itself).
    if (this.eol === '\n' && text.charCodeAt(lineEnd - 1) === CR && text.charCodeAt(lineEnd - 2) !== QUOTE && fields[lastField].endsWith('\r')) fields[lastField] = fields[lastField].slice(0, -1);
    if (!quoted && lastField === 0 && fields[0] === '') return undefined;
    this.records++;
    out.record(fields);
    return undefined;
  }

  private checkSize(chars: number): void {
    if (chars > this.maxRecordChars) {
      throw new PermanentJobError('record-too-large', `row ${this.records + 1} of ${this.file} is longer than ${this.maxRecordChars} characters; the file is refused`);
    }
  }
}

/** Where the quoted field whose content starts at `from` closes: its first quote that is not half of a `""`. */
function closingQuote(text: string, from: number): number {
  let q = text.indexOf('"', from);
  while (q >= 0 && text.charCodeAt(q + 1) === QUOTE) q = text.indexOf('"', q + 2);
  return q;
}

/** The problem of a quoted field (content from `from`) whose closing quote is followed by neither a comma nor a line break. */
function afterClosingQuote(text: string, from: number): Problem {
  const q = closingQuote(text, from);
  return { reason: `unreadable CSV: ${JSON.stringify(text[q + 1])} after the closing quote of a field`, at: q + 1 };
}

/**
 * A quote inside an unquoted field of a record papaparse read without error (it keeps such a quote as
 * text): the field's start and the quote's place, or undefined. Walks the record's raw text field by field.
 */
function strayQuote(text: string, start: number, fields: string[]): { from: number; at: number } | undefined {
  let at = start;
  for (const value of fields) {
    if (text.charCodeAt(at) === QUOTE) {
      // Past the closing quote and whatever papaparse let stand before the comma.
      at = text.indexOf(',', closingQuote(text, at + 1)) + 1;
      continue;
    }
    const q = value.indexOf('"');
    if (q >= 0) return { from: at, at: at + q };
    at += value.length + 1;
  }
  return undefined;
}

/**
 * The file's record delimiter: LF (CRLF included), or CR for a file whose first line break is a lone CR;
 * undefined while the text so far cannot tell (no line break yet, or a CR at its end), unless `final`.
 * Line breaks inside quotes do not count: each closed quoted part stands as one letter, all after an open quote is dropped.
 */
function lineBreakOf(text: string, final: boolean): string | undefined {
  const unquoted = text.replace(/"[^"]*"/g, 'q');
  const open = unquoted.indexOf('"');
  const outside = open < 0 ? unquoted : unquoted.slice(0, open);
  const cr = outside.indexOf('\r');
  const lf = outside.indexOf('\n');
  if (cr < 0 || (lf >= 0 && lf < cr)) return lf >= 0 || final ? '\n' : undefined;
  if (cr + 1 < outside.length) return outside.charCodeAt(cr + 1) === LF ? '\n' : '\r';
  return final || open >= 0 ? '\r' : undefined;
}
