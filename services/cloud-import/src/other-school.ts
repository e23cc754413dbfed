import type { Guard } from './idempotent-writer';

/** An id already used in another school is refused, not moved: that school is not this import's to change. */
export const otherSchool =
  <T extends { _id: string; schoolId: string }>(column: string, what: string): Guard<T> =>
  (incoming, existing) =>
    incoming.schoolId === existing.schoolId ? undefined : { column, reason: `${what} ${incoming._id} belongs to school ${existing.schoolId}` };
