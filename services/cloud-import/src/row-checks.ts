import type { IdempotentWriter } from './idempotent-writer';
import type { RejectSink, Rejection } from './rejections';

/**
 * A row naming an id that an earlier row of this file already took is refused (the first row stands),
 * so a file's repeats never silently overwrite each other and the summary counts them as rejected.
 * `label` names the id to the user.
 */
export function isRepeat(sink: RejectSink, writer: Pick<IdempotentWriter<{ _id: string }>, 'takenAt'>, id: string, row: number, column: string, label: string): boolean {
  const first = writer.takenAt(id);
  if (first === undefined) return false;
  sink.add({ row, column, reason: `${label} is already in row ${first} of this file; the repeat is not imported` });
  return true;
}

/** Reports every row a refused document came from. */
export function refuseRows(sink: RejectSink, refusal: Omit<Rejection, 'row'>, rows: readonly number[]): void {
  for (const row of rows) sink.add({ ...refusal, row });
}
