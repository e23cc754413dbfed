/**
 * Something a task that succeeded left undone, counted by the job itself: rows an import rejected, batches a
 * report skipped. A job lists these in its result as `partial`; the console shows each as a warning with its
 * count, on the task page and in the list, so a partial success never reads as a plain "Succeeded".
 */
export interface Shortfall {
  /** How many were left undone. */
  count: number;
  /** Out of how many, when the job knows. */
  of?: number;
  /** What they are, for one and for several: "row rejected", "rows rejected". */
  one: string;
  other: string;
}

/** The result fields every job may set (each job adds its own). */
export interface TaskResult {
  partial?: Shortfall[];
  [field: string]: unknown;
}

/** `{partial}` with the shortfalls worth saying (a zero count is none), or nothing when there are none: spread it into a result. */
export function partialResult(items: Shortfall[]): Pick<TaskResult, 'partial'> {
  const partial = items.filter((s) => s.count > 0);
  return partial.length ? { partial } : {};
}
