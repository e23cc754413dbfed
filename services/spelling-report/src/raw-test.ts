/**
 * A spelling week's four fields the report reads, taken straight from the document's BSON bytes (the
 * driver's `raw` read): no object per document, no string for its results. The report read a school
 * year's 38,391 documents into objects first, the largest part of its CPU (issue 19).
 */
export interface RawTest {
  classId: string;
  pupilId: string;
  week: string;
  correct: number;
  total: number;
}

/** BSON element types (bsonspec.org): the projected fields are all UTF-8 strings. */
const BSON_STRING = 0x02;
const ONE = 0x31;
const [CLASS_ID, PUPIL_ID, WEEK, RESULTS] = [0, 1, 2, 3];
const NAME_BYTES = ['classId', 'pupilId', 'week', 'results'].map((name) => Buffer.from(name, 'latin1'));

/** Which of the fields the name at doc[start..end) is, or -1; compared in JavaScript (Buffer.compare is a native call per name). */
function fieldOf(doc: Buffer, start: number, end: number): number {
  for (let f = 0; f < NAME_BYTES.length; f++) {
    const name = NAME_BYTES[f];
    if (name.length !== end - start) continue;
    let k = 0;
    while (k < name.length && doc[start + k] === name[k]) k++;
    if (k === name.length) return f;
  }
  return -1;
}

/** Words right (`1`s) and set in the packed results (see libs/school-data results.ts); false unless ASCII. */
function countResults(doc: Buffer, start: number, stop: number, into: RawTest): boolean {
  let correct = 0;
  for (let k = start; k < stop; k++) {
    const byte = doc[k];
    if (byte === ONE) correct++;
    else if (byte >= 0x80) return false;
  }
  into.correct = correct;
  into.total = stop - start;
  return true;
}

/**
 * Reads `doc` into `into` (reused: one object for the whole read). False when the document is not the
 * plain shape (a field missing, not a string, or results that are not ASCII): the caller decodes it
 * the ordinary way then.
 */
export function readRawTest(doc: Buffer, into: RawTest): boolean {
  const end = doc.readInt32LE(0) - 1;
  let seen = 0;
  for (let i = 4; i < end; ) {
    if (doc[i++] !== BSON_STRING) return false;
    const nameStart = i;
    while (doc[i] !== 0) i++;
    const field = fieldOf(doc, nameStart, i++);
    const start = i + 4;
    const stop = start + doc.readInt32LE(i) - 1;
    i = stop + 1;
    if (field === RESULTS) {
      if (!countResults(doc, start, stop, into)) return false;
    } else if (field === CLASS_ID) into.classId = doc.toString('utf8', start, stop);
    else if (field === PUPIL_ID) into.pupilId = doc.toString('utf8', start, stop);
    else if (field === WEEK) into.week = doc.toString('utf8', start, stop);
    if (field >= 0) seen |= 1 << field;
  }
  return seen === 0b1111;
}
