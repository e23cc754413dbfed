import { once } from 'node:events';
import { pipeline } from 'node:stream/promises';
import type { Writable } from 'node:stream';
import { stringify } from 'csv-stringify';
import type { AssessmentBatchRecord } from '@taskyard/school-data';
import { SCORE_COLUMNS, type ScoreRow } from './score-rows';

async function write(out: Writable, text: string): Promise<void> {
  if (!out.write(text)) await once(out, 'drain');
}

/** With a UTF-8 byte-order mark: without one Excel reads the file as ANSI and garbles names such as Ørsted. */
export async function writeCsv(out: Writable, rows: AsyncIterable<ScoreRow>): Promise<number> {
  const csv = stringify({ header: true, columns: SCORE_COLUMNS, bom: true });
  const piped = pipeline(csv, out, { end: false });
  let count = 0;
  for await (const row of rows) {
    count++;
    if (!csv.write(row)) await once(csv, 'drain');
  }
  csv.end();
  await piped;
  return count;
}

/** `{batch, generatedAt, rows: [...]}`, written a row at a time so a big batch never sits in memory. */
export async function writeJson(out: Writable, batch: AssessmentBatchRecord, rows: AsyncIterable<ScoreRow>): Promise<number> {
  const head = { batch_id: batch._id, batch_name: batch.name, channel: batch.channel, school_id: batch.schoolId, generated_at: new Date().toISOString() };
  await write(out, `${JSON.stringify(head).slice(0, -1)},"rows":[`);
  let count = 0;
  for await (const row of rows) {
    await write(out, `${count ? ',' : ''}\n${JSON.stringify(row)}`);
    count++;
  }
  await write(out, '\n]}\n');
  return count;
}
