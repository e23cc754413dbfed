import { IdempotentWriter, type WriteTarget } from './idempotent-writer';
import type { ImportContext } from './import-context';
import { otherSchool } from './other-school';
import { refuseRows } from './row-checks';

/**
 * A writer of documents a school owns: a document whose id another school holds is refused when its
 * batch is written, every row it came from is reported, and `noted` (what the import recorded as
 * accepted, e.g. its classes or pupils) forgets it, so no later row of the import can refer to it.
 */
export function ownedWriter<T extends { _id: string; schoolId: string }>(target: WriteTarget, c: ImportContext, column: string, what: string, noted?: Map<string, unknown>): IdempotentWriter<T> {
  return new IdempotentWriter<T>(target, {
    schools: c.schools,
    tracker: c.tracker,
    guard: otherSchool(column, what),
    onRefused: (refusal, rows, doc) => {
      refuseRows(c.sink, refusal, rows);
      noted?.delete(doc._id);
    },
  });
}
