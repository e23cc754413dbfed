import type { Guard } from './idempotent-writer';

/** An id already used in another school is refused, not moved: that school is not this import's to change. */
export const otherSchool =
  <T extends { schoolId: string }>(column: string): Guard<T> =>
  (incoming, existing) =>
    incoming.schoolId === existing.schoolId ? undefined : { row: 0, column, reason: `already belongs to school ${existing.schoolId}` };
